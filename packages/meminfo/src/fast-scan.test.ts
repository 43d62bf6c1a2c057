import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastScanKeyValues, fastScanMeminfo } from './fast-scan.js';
import { scanKeyValueLines } from './key-value.js';
import { scanMeminfo } from './meminfo.js';

function collect(scan: (visit: (name: string, value: number) => void) => unknown): { ok: unknown; entries: [string, number][] } | { error: string } {
  const entries: [string, number][] = [];
  try {
    return { ok: scan((name, value) => entries.push([name, value])), entries };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const meminfoLine = fc.record({
  name: fc.oneof(fc.constantFrom('MemTotal', 'Active(file)', 'HugePages_Total', 'Node 0 x', '\u00a0Odd', ''), fc.string({ maxLength: 8 })),
  pad: fc.constantFrom('', ' ', '      ', '\t'),
  value: fc.oneof(fc.constantFrom('0', '12', '9007199254740993', '123456789012345', '1234567890123456', '-1', 'x'), fc.nat().map(String)),
  unit: fc.constantFrom('', ' kB', '\tkB', ' kB ', ' MB'),
  end: fc.constantFrom('\n', '\r\n', '\n\n', ''),
});
const keyValueLine = fc.record({
  name: fc.oneof(fc.constantFrom('pgmajfault', 'pgsteal_file', 'a:b', '\u00e9t\u00e9', ''), fc.string({ maxLength: 8 })),
  pad: fc.constantFrom(' ', '  ', '\t', ''),
  value: fc.oneof(fc.constantFrom('0', '-5', '9223372036854771712', '123456789012345', 'x', ''), fc.nat().map(String)),
  end: fc.constantFrom('\n', '\r\n', ' \n', ''),
});

describe('fast scanners', () => {
  it('read /proc/meminfo exactly as the strict parser does, whenever they accept it', () => {
    fc.assert(
      fc.property(fc.array(meminfoLine, { maxLength: 8 }), (lines) => {
        const text = lines.map(({ name, pad, value, unit, end }) => `${name}:${pad}${value}${unit}${end}`).join('');
        const fast = collect((visit) => fastScanMeminfo(text, visit));
        if ('ok' in fast && fast.ok === true) expect(collect((visit) => scanMeminfo(text, visit))).toEqual({ ok: undefined, entries: fast.entries });
      }),
      { numRuns: 500 },
    );
  });

  it('read name/value files exactly as the strict parser does, whenever they accept them', () => {
    fc.assert(
      fc.property(fc.array(keyValueLine, { maxLength: 8 }), (lines) => {
        const text = lines.map(({ name, pad, value, end }) => `${name}${pad}${value}${end}`).join('');
        const fast = collect((visit) => fastScanKeyValues(text, visit));
        if ('ok' in fast && fast.ok === true) {
          expect(collect((visit) => scanKeyValueLines(text, 'vmstat', (name, value) => visit(name, Number(value))))).toEqual({ ok: undefined, entries: fast.entries });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accept what the kernel prints and leave the rest to the strict parser', () => {
    const accepted = (text: string) => fastScanMeminfo(text, () => undefined);
    expect([
      accepted('MemTotal:       24684084 kB\nHugePages_Total:       0\n'),
      accepted('MemTotal: 1 kB'),
      accepted('MemTotal:\t1 kB\n'),
      accepted('MemTotal: 1 kB\r\n'),
      accepted('MemTotal: 1 kB\n\n'),
      accepted('MemTotal: 1 kB\nMemTotal: 2 kB\n'),
      fastScanKeyValues('nr_free_pages 10\npgscan_anon -3\n', () => undefined),
      fastScanKeyValues('hierarchical_memory_limit 9223372036854771712\n', () => undefined),
    ]).toEqual([true, true, false, false, false, false, true, false]);
  });
});
