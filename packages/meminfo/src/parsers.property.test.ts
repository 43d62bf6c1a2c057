import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCgroupLimit, parseMemoryStat } from './cgroup-files.js';
import { MeminfoParseError } from './errors.js';
import { deriveLinuxMemory, parseLinuxMemory, parseMeminfo } from './meminfo.js';
import { parsePressure } from './pressure.js';
import { parseVmstat, parseVmstatCounters } from './vmstat.js';
import { parseVmmemProcesses, parseWindowsHost, parseWindowsOsMemory } from './windows.js';

const parsers: Record<string, (text: string) => unknown> = {
  parseMeminfo,
  parseLinuxMemory,
  parsePressure: (text) => parsePressure(text),
  parseVmstat,
  parseMemoryStat,
  parseCgroupLimit: (text) => parseCgroupLimit(text, 'memory.max'),
  parseWindowsOsMemory,
  parseVmmemProcesses,
  parseWindowsHost,
};

const fixtures = new URL('../fixtures/', import.meta.url);
const realFiles = readdirSync(fixtures).map((name) => readFileSync(new URL(name, fixtures), 'utf8'));

/** Real files with lines dropped, duplicated, cut or overwritten: outside input that is almost right. */
const mangledFile = fc
  .tuple(fc.constantFrom(...realFiles), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 6 }))
  .map(([text, edits]) => {
    let result = text;
    for (const [at, length, insert] of edits) {
      const start = at % (result.length + 1);
      result = result.slice(0, start) + insert + result.slice(start + (length % 8));
    }
    return result;
  });

const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('\n', ' ', ':', 'k', 'B', '0', '9', '-', '.', '=', 'a', '{', '}', '"') }), mangledFile);

function onlyParseErrors(parse: (text: string) => unknown, input: unknown): void {
  try {
    parse(input as string);
  } catch (error) {
    if (!(error instanceof MeminfoParseError)) throw error;
  }
}

describe('parsers on outside input', () => {
  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name} throws nothing but MeminfoParseError on any text`, () => {
      fc.assert(fc.property(anyText, (text) => onlyParseErrors(parse, text)), { numRuns: 300 });
    });

    it(`${name} throws nothing but MeminfoParseError on any value`, () => {
      fc.assert(fc.property(fc.anything(), (value) => onlyParseErrors(parse, value)), { numRuns: 100 });
    });
  }
});

const fieldName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,14}(\((anon|file)\))?$/);
const kib = fc.integer({ min: 0, max: 2 ** 40 });
const padding = fc.integer({ min: 1, max: 12 }).map((count) => ' '.repeat(count));

describe('round trips of generated well-formed files', () => {
  it('/proc/meminfo: every field comes back, kB as bytes, counts as counts', () => {
    const field = fc.record({ name: fieldName, value: kib, unit: fc.boolean(), pad: padding });
    fc.assert(
      fc.property(fc.uniqueArray(field, { selector: (entry) => entry.name, maxLength: 60 }), (entries) => {
        const text = entries.map(({ name, value, unit, pad }) => `${name}:${pad}${value}${unit ? ' kB' : ''}\n`).join('');
        expect(parseMeminfo(text)).toEqual(Object.fromEntries(entries.map(({ name, value, unit }) => [name, unit ? value * 1024 : value])));
      }),
    );
  });

  it('/proc/meminfo: derived values keep free\'s identities', () => {
    const meminfo = fc.record({
      MemTotal: kib,
      MemFree: kib,
      MemAvailable: fc.option(kib, { nil: undefined }),
      Buffers: kib,
      Cached: kib,
      Shmem: fc.option(kib, { nil: undefined }),
      SReclaimable: fc.option(kib, { nil: undefined }),
      SwapTotal: kib,
      SwapFree: kib,
    });
    fc.assert(
      fc.property(meminfo, (fields) => {
        const text = Object.entries(fields)
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => `${name}: ${value} kB\n`)
          .join('');
        const memory = parseLinuxMemory(text);
        const availableKib = fields.MemAvailable === undefined || fields.MemAvailable === 0 || fields.MemAvailable > fields.MemTotal ? fields.MemFree : fields.MemAvailable;
        const usedKib = fields.MemTotal - availableKib >= 0 ? fields.MemTotal - availableKib : fields.MemTotal - fields.MemFree;
        expect(memory.available).toBe(availableKib * 1024);
        expect(memory.used).toBe(usedKib * 1024);
        expect(memory.buffCache).toBe((fields.Buffers + fields.Cached + (fields.SReclaimable ?? 0)) * 1024);
        expect(memory.swapUsed).toBe(fields.SwapFree < fields.SwapTotal ? (fields.SwapTotal - fields.SwapFree) * 1024 : 0);
        expect([memory.shmem, memory.sReclaimable]).toEqual([fields.Shmem === undefined ? null : fields.Shmem * 1024, fields.SReclaimable === undefined ? null : fields.SReclaimable * 1024]);
        expect(memory.reclaimable).toBeLessThanOrEqual(memory.buffCache);
      }),
    );
  });

  it('PSI: some and full come back', () => {
    const hundredths = fc.integer({ min: 0, max: 10000 });
    const line = fc.record({ avg10: hundredths, avg60: hundredths, avg300: hundredths, total: fc.maxSafeNat() });
    fc.assert(
      fc.property(line, fc.option(line, { nil: null }), (some, full) => {
        const render = (kind: string, l: typeof some) =>
          `${kind} avg10=${(l.avg10 / 100).toFixed(2)} avg60=${(l.avg60 / 100).toFixed(2)} avg300=${(l.avg300 / 100).toFixed(2)} total=${l.total}\n`;
        const back = (l: typeof some) => ({ avg10: l.avg10 / 100, avg60: l.avg60 / 100, avg300: l.avg300 / 100, totalUs: l.total });
        const text = render('some', some) + (full ? render('full', full) : '');
        expect(parsePressure(text)).toEqual({ some: back(some), full: full ? back(full) : null });
      }),
    );
  });

  it('vmstat and memory.stat: every counter comes back', () => {
    const counter = fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/), value: fc.maxSafeInteger() });
    fc.assert(
      fc.property(fc.uniqueArray(counter, { selector: (entry) => entry.name, maxLength: 80 }), (entries) => {
        const text = entries.map(({ name, value }) => `${name} ${value}\n`).join('');
        const expected = Object.fromEntries(entries.map(({ name, value }) => [name, value]));
        expect([parseVmstatCounters(text), parseMemoryStat(text)]).toEqual([expected, expected]);
      }),
    );
  });

  it('Windows host JSON: KiB come back as bytes, the vmmemWSL working set wins', () => {
    const processes = fc.array(
      fc.record({ Name: fc.constantFrom('vmmem', 'vmmemWSL'), Id: fc.integer({ min: 4, max: 99999 }), WorkingSet64: fc.integer({ min: 0, max: 2 ** 45 }) }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(kib, kib, processes, (total, free, list) => {
        const stdout = `${JSON.stringify({ TotalVisibleMemorySize: total, FreePhysicalMemory: free })}\r\n${JSON.stringify(list)}\r\n`;
        const wsl = list.filter((process) => process.Name === 'vmmemWSL');
        const counted = wsl.length > 0 ? wsl : list;
        expect(parseWindowsHost(stdout)).toEqual({
          total: total * 1024,
          available: free * 1024,
          vmmem: list.length === 0 ? null : counted.reduce((sum, process) => sum + process.WorkingSet64, 0),
        });
      }),
    );
  });

  it('parseLinuxMemory agrees with deriving from every parsed field, errors included', () => {
    const outcome = (run: () => unknown) => {
      try {
        return { value: run() };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    fc.assert(
      fc.property(anyText, (text) => {
        expect(outcome(() => parseLinuxMemory(text))).toEqual(outcome(() => deriveLinuxMemory(parseMeminfo(text))));
      }),
      { numRuns: 300 },
    );
  });

  it('parseVmstat picks the same counters as a reading of the whole record', () => {
    const names = ['workingset_refault', 'workingset_refault_file', 'workingset_refault_anon', 'pgmajfault', 'oom_kill', 'pgsteal_anon', 'pgsteal_file', 'pgsteal_kswapd', 'pgsteal_direct', 'pgsteal_kswapd_dma32', 'pgscan_anon', 'pgscan_file', 'pgscan_kswapd', 'pgscan_direct_normal', 'pgscan_direct_throttle', 'nr_free_pages'];
    const counter = fc.record({ name: fc.constantFrom(...names), value: fc.integer({ min: 0, max: 2 ** 40 }) });
    fc.assert(
      fc.property(fc.uniqueArray(counter, { selector: (entry) => entry.name, minLength: 1 }), (entries) => {
        const record = new Map(entries.map(({ name, value }) => [name, value]));
        const sum = (keep: (name: string) => boolean) => {
          const kept = entries.filter(({ name }) => keep(name));
          return kept.length === 0 ? null : kept.reduce((total, { value }) => total + value, 0);
        };
        const byType = (prefix: string) => sum((name) => name === `${prefix}_anon` || name === `${prefix}_file`);
        const byReclaimer = (prefix: string) => sum((name) => name.startsWith(`${prefix}_`) && !/_(anon|file|direct_throttle)$/.test(name));
        const text = entries.map(({ name, value }) => `${name} ${value}\n`).join('');
        expect(parseVmstat(text)).toEqual({
          workingsetRefaultFile: record.get('workingset_refault_file') ?? record.get('workingset_refault') ?? null,
          workingsetRefaultAnon: record.get('workingset_refault_anon') ?? null,
          pgmajfault: record.get('pgmajfault') ?? null,
          oomKill: record.get('oom_kill') ?? null,
          pgsteal: byType('pgsteal') ?? byReclaimer('pgsteal'),
          pgscan: byType('pgscan') ?? byReclaimer('pgscan'),
        });
      }),
    );
  });
});
