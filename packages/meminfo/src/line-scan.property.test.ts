import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeminfoParseError } from './errors.js';
import { parseKeyValueLines } from './key-value.js';
import { deriveLinuxMemory, parseLinuxMemory, parseMeminfo } from './meminfo.js';
import { parseVmstat } from './vmstat.js';

// The parsers scan lines by hand and hand a line they do not take to its regex. These are the
// regex-only parsers they replaced, line for line: both must answer every text the same way,
// with the same values or the same error.
const BLANK = /[ \t\r]*(?:\n|$)/y;

function regexOnly(text: string, source: string, line: RegExp, expected: string, visit: (match: RegExpExecArray, offset: number) => void): void {
  let offset = 0;
  while (offset < text.length) {
    BLANK.lastIndex = offset;
    if (BLANK.test(text) && BLANK.lastIndex > offset) {
      offset = BLANK.lastIndex;
      continue;
    }
    line.lastIndex = offset;
    const match = line.exec(text);
    if (!match) {
      const number = text.slice(0, offset).split('\n').length;
      const shown = text.slice(offset, text.indexOf('\n', offset) === -1 ? undefined : text.indexOf('\n', offset)).replace(/\r$/, '').slice(0, 80);
      throw new Error(`${source} line ${number}: expected ${expected}, got ${JSON.stringify(shown)}`);
    }
    visit(match, offset);
    offset = line.lastIndex;
  }
}

function referenceKeyValue(text: string): Record<string, number> {
  const entries: [string, number][] = [];
  regexOnly(text, 'memory.stat', /(\S+)[ \t]+(-?\d+)[ \t]*\r?(?:\n|$)/y, '"name <integer>"', (match) => entries.push([match[1] as string, Number(match[2])]));
  return Object.fromEntries(entries);
}

function referenceMeminfo(text: string): Record<string, number> {
  const entries: [string, number][] = [];
  const seen = new Set<string>();
  regexOnly(text, '/proc/meminfo', /([^:\s][^:\n]*?)[ \t]*:[ \t]*(\d+)(?:[ \t]+(kB))?[ \t]*\r?(?:\n|$)/y, '"Name: <number> kB"', (match, offset) => {
    const line = text.slice(0, offset).split('\n').length;
    const field = match[1] as string;
    if (seen.has(field)) throw new Error(`/proc/meminfo line ${line}: field ${field} appears twice`);
    const count = Number(match[2]);
    if (!Number.isSafeInteger(count)) throw new Error(`/proc/meminfo line ${line}: ${field} = ${match[2]} is too large to hold exactly`);
    seen.add(field);
    entries.push([field, count * (match[3] === 'kB' ? 1024 : 1)]);
  });
  return Object.fromEntries(entries);
}

/** What a parser answers: its value, or its error message. */
const outcome = (parse: () => unknown) => {
  try {
    return { value: parse() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

const fixtures = new URL('../fixtures/', import.meta.url);
const realFiles = readdirSync(fixtures).map((name) => readFileSync(new URL(name, fixtures), 'utf8'));
/** Real files with a few characters inserted, dropped or overwritten: the lines a scan might take wrongly. */
const mangled = fc.tuple(fc.constantFrom(...realFiles), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ unit: fc.constantFrom(' ', '\t', '\r', '\n', ':', 'k', 'B', 'b', '0', '9', '-', 'x', '(', '\u00a0', '\f', '\u00e9'), maxLength: 4 })), { maxLength: 6 })).map(([text, edits]) => {
  let result = text;
  for (const [at, length, insert] of edits) {
    const start = at % (result.length + 1);
    result = result.slice(0, start) + insert + result.slice(start + length);
  }
  return result;
});
const lineAlphabet = fc.string({ unit: fc.constantFrom(' ', '\t', '\r', '\n', ':', 'k', 'B', '0', '1', '9', '-', 'a', '\u00a0', '\f', '\v'), maxLength: 60 });
const longNumbers = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 25n }), fc.boolean()).map(([value, kb]) => `Big: ${value}${kb ? ' kB' : ''}\nbig ${value}\n`);
/** Lines built from the parts a line has, each part sometimes right and sometimes subtly wrong. */
const piece = (...options: string[]) => fc.constantFrom(...options);
const builtLine = fc
  .tuple(
    piece('', ' ', '\t', '\u00a0'),
    piece('MemTotal', 'Active(file)', 'pgscan_kswapd', 'a', 'Mem Total', 'x:y', '\u00e9t\u00e9', 'K\fB', '-', '9'),
    piece('', ' ', '  ', '\t', '\f', '\v'),
    piece(':', '', '::', ': ', ':\t'),
    piece('', ' ', '\t ', '\u00a0'),
    piece('0', '42', '-7', '-', '', '007', '9007199254740993', '12345678901234567890', '1.5'),
    piece('', ' kB', 'kB', '\tkB', '  kB', ' kb', ' KB', ' kBx', ' MB', ' k'),
    piece('', ' ', '\t', '\r', ' \r', '\f', 'x'),
    piece('\n', '\r\n', '', '\n\n', ' \n', '\r'),
  )
  .map((parts) => parts.join(''));
const builtText = fc.array(fc.oneof(builtLine, piece('MemFree: 1 kB\n', 'nr_free_pages 12\n', '\n', ' \n', '\r\n')), { maxLength: 8 }).map((lines) => lines.join(''));
const anyText = fc.oneof(builtText, builtText, mangled, lineAlphabet, longNumbers, fc.string({ unit: 'binary', maxLength: 40 }));

describe('the hand-written line scans answer as the regexes they replaced', () => {
  it('`name value` lines (/proc/vmstat, memory.stat)', () => {
    fc.assert(fc.property(anyText, (text) => {
      expect(outcome(() => parseKeyValueLines(text, 'memory.stat'))).toEqual(outcome(() => referenceKeyValue(text)));
    }), { numRuns: 20_000 });
  });

  it('`Name: value kB` lines (/proc/meminfo)', () => {
    fc.assert(fc.property(anyText, (text) => {
      expect(outcome(() => parseMeminfo(text))).toEqual(outcome(() => referenceMeminfo(text)));
    }), { numRuns: 20_000 });
  });
});

describe('parseVmstat checks every line as the line scan does and picks the same counters', () => {
  const vmstatLines = fc
    .array(
      fc.oneof(
        builtLine,
        fc.tuple(piece('workingset_refault', 'workingset_refault_file', 'workingset_refault_anon', 'pgmajfault', 'oom_kill', 'pgsteal_kswapd', 'pgsteal_anon', 'pgscan_file', 'pgscan_direct_throttle', 'pgsteal_\u00e9', 'nr_free_pages'), piece(' ', '\t', '  '), piece('0', '12', '-3', '123456789012345678'), piece('\n', '\r\n', '')).map((parts) => parts.join('')),
      ),
      { maxLength: 10 },
    )
    .map((lines) => lines.join(''));

  /** The parser it replaced: every line through the line scan, every counter through `add`. */
  function referenceVmstat(text: string) {
    const picked: Record<string, number | null> = { refaultFile: null, refaultLegacy: null, refaultAnon: null, pgmajfault: null, oomKill: null, stealByType: null, stealByReclaimer: null, scanByType: null, scanByReclaimer: null };
    const add = (key: string, value: number) => (picked[key] = (picked[key] ?? 0) + value);
    parseKeyValueLines(text, '/proc/vmstat');
    const entries: [string, number][] = [];
    regexOnly(text, '/proc/vmstat', /(\S+)[ \t]+(-?\d+)[ \t]*\r?(?:\n|$)/y, '"name <integer>"', (match) => entries.push([match[1] as string, Number(match[2])]));
    if (entries.length === 0) throw new MeminfoParseError('/proc/vmstat holds no counters', { source: '/proc/vmstat' });
    for (const [name, value] of entries) {
      if (name === 'workingset_refault_file') picked['refaultFile'] = value;
      else if (name === 'workingset_refault') picked['refaultLegacy'] = value;
      else if (name === 'workingset_refault_anon') picked['refaultAnon'] = value;
      else if (name === 'pgmajfault') picked['pgmajfault'] = value;
      else if (name === 'oom_kill') picked['oomKill'] = value;
      else if (name === 'pgsteal_anon' || name === 'pgsteal_file') add('stealByType', value);
      else if (name === 'pgscan_anon' || name === 'pgscan_file') add('scanByType', value);
      else if (name === 'pgscan_direct_throttle') continue;
      else if (name.startsWith('pgsteal_')) add('stealByReclaimer', value);
      else if (name.startsWith('pgscan_')) add('scanByReclaimer', value);
    }
    return {
      workingsetRefaultFile: picked['refaultFile'] ?? picked['refaultLegacy'],
      workingsetRefaultAnon: picked['refaultAnon'],
      pgmajfault: picked['pgmajfault'],
      oomKill: picked['oomKill'],
      pgsteal: picked['stealByType'] ?? picked['stealByReclaimer'],
      pgscan: picked['scanByType'] ?? picked['scanByReclaimer'],
    };
  }

  it('on any text', () => {
    fc.assert(
      fc.property(fc.oneof(vmstatLines, anyText), (text) => {
        expect(outcome(() => parseVmstat(text))).toEqual(outcome(() => referenceVmstat(text)));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('parseLinuxMemory checks every line\'s shape and the fields it reads as the line scan does', () => {
  const DERIVED = new Set(['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SReclaimable', 'Shmem', 'SwapTotal', 'SwapFree', 'Active(file)', 'Inactive(file)']);
  /** Every line through the regex first; then, for the fields the derivation reads only, no repeat and no count past 2^53. */
  function referenceLinuxMemory(text: string) {
    const lines: [string, string, boolean, number][] = [];
    regexOnly(text, '/proc/meminfo', /([^:\s][^:\n]*?)[ \t]*:[ \t]*(\d+)(?:[ \t]+(kB))?[ \t]*\r?(?:\n|$)/y, '"Name: <number> kB"', (match, offset) => lines.push([match[1] as string, match[2] as string, match[3] === 'kB', offset]));
    const fields: Record<string, number> = {};
    for (const [field, written, kb, offset] of lines) {
      if (!DERIVED.has(field)) continue;
      const line = text.slice(0, offset).split('\n').length;
      if (field in fields) throw new Error(`/proc/meminfo line ${line}: field ${field} appears twice`);
      if (!Number.isSafeInteger(Number(written))) throw new Error(`/proc/meminfo line ${line}: ${field} = ${written} is too large to hold exactly`);
      fields[field] = Number(written) * (kb ? 1024 : 1);
    }
    return deriveLinuxMemory(fields);
  }
  const derivedLines = fc
    .array(
      fc.oneof(
        builtLine,
        fc.tuple(piece('MemTotal', 'MemFree', 'Cached', 'Active(file)', 'X\rMemTotal', 'Mem', 'MemTotal2'), piece('', ' ', '\t'), piece(':', ':\t', ': '), piece('1', '0', '20', '9007199254740993'), piece('', ' kB', 'kB'), piece('\n', '\r\n', '')).map((parts) => parts.join('')),
      ),
      { maxLength: 10 },
    )
    .map((lines) => lines.join(''));

  it('on any text', () => {
    fc.assert(
      fc.property(fc.oneof(derivedLines, anyText), (text) => {
        expect(outcome(() => parseLinuxMemory(text))).toEqual(outcome(() => referenceLinuxMemory(text)));
      }),
      { numRuns: 20_000 },
    );
  });
});
