import { describe, expect, it } from 'vitest';
import { countOutcome, countVerdict, widenBounds } from './bookkeeping.js';
import { emptyStats } from './model-file.js';
import type { MeasuredOutcome } from './outcome.js';

const GIB = 1024 ** 3;

function outcome(freedBytes: number, harm: boolean, actionAt = '2026-11-22T10:00:00.000Z'): MeasuredOutcome {
  return { actionAt, measuredAt: '2026-11-22T10:05:00.000Z', freedBytes, keptBytes: harm ? 0 : freedBytes, refaultedBytes: 0, psiRise: 0, oomKills: 0, feedback: null, harm, harmReasons: harm ? ['slow feedback'] : [], memTotal: 16 * GIB };
}

describe('countVerdict', () => {
  it('counts the verdict and remembers the advice, leaving the old stats alone', () => {
    const before = emptyStats();
    const after = countVerdict(before, { verdict: 'shrink', targetBytes: GIB, reason: 'harm risk' }, new Date('2026-11-22T10:00:00.000Z'));
    expect(after).toEqual({ ...emptyStats(), verdicts: { allow: 0, veto: 0, shrink: 1, raise: 0 }, lastAdvice: { at: '2026-11-22T10:00:00.000Z', verdict: 'shrink', reason: 'harm risk', targetBytes: GIB } });
    expect(before).toEqual(emptyStats());
  });
});

describe('widenBounds', () => {
  const none = { largestHarmless: 0, smallestHarmfulRaise: null };
  it.each([
    ['a harmless reclaim lifts the largest harmless', none, outcome(2 * GIB, false), false, { largestHarmless: 1 / 8, smallestHarmfulRaise: null }],
    ['harm after an exploratory raise above it marks where harm starts', { largestHarmless: 1 / 16, smallestHarmfulRaise: null }, outcome(2 * GIB, true), true, { largestHarmless: 1 / 16, smallestHarmfulRaise: 1 / 8 }],
    ['harm after an ordinary reclaim moves nothing', { largestHarmless: 1 / 16, smallestHarmfulRaise: null }, outcome(2 * GIB, true), false, { largestHarmless: 1 / 16, smallestHarmfulRaise: null }],
    ['a harmless reclaim as large as the harmful raise clears it', { largestHarmless: 1 / 16, smallestHarmfulRaise: 1 / 8 }, outcome(2 * GIB, false), false, { largestHarmless: 1 / 8, smallestHarmfulRaise: null }],
  ])('%s', (_, bounds, measured, exploratory, expected) => {
    const copy = structuredClone(bounds);
    expect(widenBounds(bounds, measured, exploratory)).toEqual(expected);
    expect(bounds).toEqual(copy);
  });
});

describe('countOutcome', () => {
  it('counts outcomes and harm, keeps the last 50 next to their predictions, and widens the bounds', () => {
    let stats = emptyStats();
    for (let i = 0; i < 51; i += 1) stats = countOutcome(stats, outcome(GIB, i === 50, `2026-11-22T10:${String(i).padStart(2, '0')}:00.000Z`), { keptShare: 0.5, harmProbability: 0.25 }, false);
    expect([stats.outcomes, stats.harmful, stats.recent.length, stats.recent[0]?.actionAt, stats.bounds]).toEqual([51, 1, 50, '2026-11-22T10:01:00.000Z', { largestHarmless: 1 / 16, smallestHarmfulRaise: null }]);
    expect(stats.recent.at(-1)).toEqual({ actionAt: '2026-11-22T10:50:00.000Z', predictedKeptBytes: GIB / 2, keptBytes: 0, predictedHarm: 0.25, harm: true, harmReasons: ['slow feedback'] });
  });
});
