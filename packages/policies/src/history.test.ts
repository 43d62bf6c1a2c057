import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatHistoryLine, parseHistory, type HistoryRecord } from './history.js';

const reclaim: HistoryRecord = {
  kind: 'reclaim',
  at: '2026-01-15T10:00:00.000Z',
  policy: 'dynamic',
  code: 'host-below-target',
  reason: 'host has 12.5% available, below the 25% target; 4096 MiB held for nothing, reclaiming 2867 MiB',
  method: 'cgroup_reclaim',
  targetBytes: 3_006_477_107,
  freedBytes: 2_900_000_000,
  durationMs: 412,
  dryRun: false,
  steps: [{ name: 'cgroup_reclaim', status: 'ok', durationMs: 410 }],
  advice: { verdict: 'allow', reason: 'benefit 0.8 > harm 0.1', targetBytes: null },
};
const failed: HistoryRecord = { kind: 'error', at: '2026-01-15T10:00:30.000Z', stage: 'snapshot', code: 'GOV_MEMINFO_TIMEOUT', message: 'timed out\nafter 2000 ms' };
const feedback: HistoryRecord = { kind: 'feedback', at: '2026-01-15T10:01:00.000Z', feedback: 'slow', note: 'builds crawl' };
const pods: HistoryRecord = { kind: 'reclaim-idle-pods', at: '2026-01-15T10:02:00.000Z', policy: 'aggressive', code: 'cooldown', reason: 'r', reclaimed: ['shop/web'], freedBytes: 67_108_864, durationMs: 40, dryRun: false };

describe('formatHistoryLine', () => {
  test('one record is one line, even with newlines in its text', () => {
    const line = formatHistoryLine(failed);
    expect(line).toBe('{"kind":"error","at":"2026-01-15T10:00:30.000Z","stage":"snapshot","code":"GOV_MEMINFO_TIMEOUT","message":"timed out\\nafter 2000 ms"}\n');
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });
});

describe('parseHistory', () => {
  test('reads every record back in order', () => {
    const text = [reclaim, failed, feedback, pods].map(formatHistoryLine).join('');
    expect(parseHistory(text)).toEqual({ records: [reclaim, failed, feedback, pods], skipped: 0 });
  });

  test('skips a torn last line (a crash mid-write) and garbled lines, keeping the rest', () => {
    const torn = formatHistoryLine(feedback).slice(0, 25);
    const text = `${formatHistoryLine(reclaim)}not json at all\n{"kind":"reclaim","at":"x"}\n[1,2]\n\n${formatHistoryLine(failed)}${torn}`;
    expect(parseHistory(text)).toEqual({ records: [reclaim, failed], skipped: 4 });
  });

  test('keeps a raised target in the advice', () => {
    const raised: HistoryRecord = { ...reclaim, targetBytes: 4 * 1024 ** 3, advice: { verdict: 'raise', reason: 'idle: keeps ~4.0 GiB free', targetBytes: 4 * 1024 ** 3 } };
    expect(parseHistory(formatHistoryLine(raised))).toEqual({ records: [raised], skipped: 0 });
    expect(parseHistory(formatHistoryLine(raised).replace('"raise"', '"double"'))).toEqual({ records: [], skipped: 1 });
  });

  test('reads what freedBytes measures where a record says it, and older records without it', () => {
    const onCgroup: HistoryRecord = { ...reclaim, freedMeasure: 'cgroup' };
    // `reclaim` is a record as written before freedMeasure existed.
    expect(parseHistory([onCgroup, reclaim].map(formatHistoryLine).join(''))).toEqual({ records: [onCgroup, reclaim], skipped: 0 });
    expect(parseHistory(formatHistoryLine(onCgroup).replace('"cgroup"', '"memfree"'))).toEqual({ records: [], skipped: 1 });
  });

  test('an empty file has no records', () => {
    expect(parseHistory('')).toEqual({ records: [], skipped: 0 });
  });

  const recordArb: fc.Arbitrary<HistoryRecord> = fc.oneof(
    fc.record({ kind: fc.constant('error' as const), at: fc.constant('2026-01-15T10:00:00.000Z'), stage: fc.constantFrom('snapshot', 'decide', 'advise', 'act', 'history', 'other' as const), code: fc.string(), message: fc.string({ unit: 'binary' }) }),
    fc.record({ kind: fc.constant('feedback' as const), at: fc.constant('2026-01-15T10:00:00.000Z'), feedback: fc.constantFrom('slow', 'ok' as const), note: fc.option(fc.string({ unit: 'binary' }), { nil: null }) }),
    fc.record({ kind: fc.constant('event' as const), at: fc.constant('2026-01-15T10:00:00.000Z'), event: fc.string({ minLength: 1 }), message: fc.string() }),
    fc.record({ freedBytes: fc.nat(), durationMs: fc.nat(), reason: fc.string({ unit: 'binary' }) }).map((changes) => ({ ...reclaim, ...changes })),
  );

  test('cut anywhere, the history gives back exactly the complete lines before the cut', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 8 }), fc.nat(), (records, cutSeed) => {
        const lines = records.map(formatHistoryLine);
        const text = lines.join('');
        const cut = text.length === 0 ? 0 : cutSeed % (text.length + 1);
        let complete = 0;
        let end = 0;
        for (const line of lines) {
          end += line.length;
          if (end - 1 <= cut) complete += 1; // the JSON is whole even without its newline
        }
        const result = parseHistory(text.slice(0, cut));
        expect(result.records).toEqual(records.slice(0, complete));
        expect(result.skipped).toBeLessThanOrEqual(1);
      }),
    );
  });

  test('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const result = parseHistory(text);
        expect(result.skipped).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
