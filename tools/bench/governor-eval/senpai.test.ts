import { describe, expect, it } from 'vitest';
import { SENPAI_DEFAULTS, senpaiLimit, senpaiTick, startSenpai, type SenpaiState } from './senpai.js';

/** Runs ticks at the given PSI totals and returns every adjustment (null when none). */
function run(totals: number[], state: SenpaiState = startSenpai(totals[0] as number)) {
  const adjustments: (number | null)[] = [];
  for (const total of totals.slice(1)) {
    const next = senpaiTick(state, total);
    state = next.state;
    adjustments.push(next.adjust);
  }
  return { adjustments, state };
}

describe('senpai (senpai.py, defaults)', () => {
  it('without pressure waits its interval, then tightens by max_probe every interval', () => {
    const { adjustments } = run(Array.from({ length: 14 }, () => 1000));
    expect(adjustments).toEqual([null, null, null, null, null, null, -0.01, null, null, null, null, null, -0.01]);
  });

  it('tightens less as the integral nears the target: (target/integral/coeff_probe)² × max_probe', () => {
    const state: SenpaiState = { lastTotal: 0, integral: 0, graceTicks: 0 };
    expect(senpaiTick(state, 5000).adjust).toBeCloseTo(-((10_000 / 5000 / 10) ** 2) * 0.01, 12);
    expect(senpaiTick(state, 1000).adjust).toBeCloseTo(-0.01, 12);
  });

  it('backs off as soon as the integral passes the target, by (integral/target/coeff_backoff)², at most max_backoff, and resets', () => {
    const state: SenpaiState = { lastTotal: 100, integral: 0, graceTicks: 3 };
    expect(senpaiTick(state, 100 + 40_000)).toEqual({ state: { lastTotal: 40_100, integral: 0, graceTicks: 5 }, adjust: (40_000 / 10_000 / 20) ** 2 });
    expect(senpaiTick(state, 100 + 400_000).adjust).toBe(1);
    // At the target exactly it is not over: grace counts down, the integral carries on.
    expect(senpaiTick(state, 100 + 10_000)).toEqual({ state: { lastTotal: 10_100, integral: 10_000, graceTicks: 2 }, adjust: null });
  });

  it('restarts from what the cgroup holds when the limit moved under it, clamps and page-aligns', () => {
    const current = 3 * 2 ** 30 + 123;
    expect(senpaiLimit(0, { expected: null, actual: 2 ** 62, current, floor: 0 })).toBe(3 * 2 ** 30);
    expect(senpaiLimit(2 ** 30 + 5000, { expected: 2 ** 30, actual: 2 ** 30, current, floor: 0 })).toBe(2 ** 30 + 4096);
    expect(senpaiLimit(1000, { expected: 2 ** 30, actual: 2 ** 30, current, floor: 0 })).toBe(SENPAI_DEFAULTS.minSize);
    expect(senpaiLimit(1000, { expected: 2 ** 30, actual: 2 ** 30, current, floor: 700 * 2 ** 20 })).toBe(700 * 2 ** 20);
    expect(senpaiLimit(2 ** 50, { expected: 2 ** 30, actual: 2 ** 30, current, floor: 0 })).toBe(SENPAI_DEFAULTS.maxSize);
  });
});
