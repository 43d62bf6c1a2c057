import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteTicks, nearestIndex, timeTicks, valueDomain } from './chart-scale.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

describe('valueDomain', () => {
  it('focuses on the values so a change of a few MiB fills the pane', () => {
    const [min, max] = valueDomain([8 * GIB, 8 * GIB + 20 * MIB], false);
    // 20 MiB apart on 8 GiB: the pane spans well under a GiB, not 0–8 GiB.
    expect(max - min).toBeLessThan(0.2 * GIB);
    expect([min < 8 * GIB, max > 8 * GIB + 20 * MIB]).toEqual([true, true]);
  });

  it('from zero starts at 0, and never gives an empty range', () => {
    expect(valueDomain([4 * GIB, 8 * GIB], true)).toEqual([0, 8 * GIB * 1.05]);
    expect(valueDomain([], false)).toEqual([0, 1]);
    const [low, high] = valueDomain([0, 0], false);
    expect(high - low).toBeGreaterThan(0);
  });
});

describe('byteTicks', () => {
  it('picks round steps of a binary unit', () => {
    expect(byteTicks(0, 8 * GIB, 4)).toEqual([0, 2 * GIB, 4 * GIB, 6 * GIB, 8 * GIB]);
    expect(byteTicks(1000 * MIB, 1100 * MIB, 2)).toEqual([1000 * MIB, 1050 * MIB, 1100 * MIB]);
    // A step of 0.66 GiB is a whole GiB, never 1000 MiB.
    expect(byteTicks(0.9 * GIB, 2.9 * GIB, 3)).toEqual([GIB, 2 * GIB]);
  });

  it('always gives ticks inside the range, never more than about twice asked', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), fc.double({ min: 1, max: 1e12, noNaN: true }), fc.integer({ min: 1, max: 8 }), (min, span, count) => {
        const ticks = byteTicks(min, min + span, count);
        expect(ticks.every((tick) => tick >= min && tick <= min + span)).toBe(true);
        expect(ticks.length).toBeLessThanOrEqual(count * 2 + 1);
      }),
    );
  });
});

describe('timeTicks', () => {
  it('lands on whole 10 minutes across an hour', () => {
    const from = Date.parse('2026-11-22T02:03:00Z');
    const ticks = timeTicks(from, from + 3_600_000, 6);
    expect(ticks.every((tick) => tick % 600_000 === 0)).toBe(true);
    expect(ticks.length).toBe(6);
  });
});

describe('nearestIndex', () => {
  it('finds the nearest time, the earlier on a tie', () => {
    const times = [10, 20, 30, 40];
    expect([nearestIndex(times, 0), nearestIndex(times, 24), nearestIndex(times, 25), nearestIndex(times, 26), nearestIndex(times, 99), nearestIndex([], 5)]).toEqual([0, 1, 1, 2, 3, -1]);
  });
});
