import { describe, expect, it } from 'vitest';
import { checkWslIdle, startWslIdle, type WslIdleConfig } from './wsl.js';

/** Feeds 30-second readings of the user CPU counter; returns when each check called the VM idle. */
function idleChecks(config: WslIdleConfig, perCheckTicks: number[]): boolean[] {
  let state = startWslIdle(config);
  let ticks = 1000;
  return perCheckTicks.map((used) => {
    ticks += used;
    const check = checkWslIdle(state, ticks, config);
    state = check.state;
    return check.idle;
  });
}

describe('WSL autoMemoryReclaim idle detection (WSL init, ConfigureMemoryReduction)', () => {
  // 2 CPUs at 100 ticks/s: 0.5% of both over 30 s is 30 ticks.
  const gradual: WslIdleConfig = { cpus: 2, ticksPerSecond: 100, windowLength: 6 };
  const dropcache: WslIdleConfig = { ...gradual, windowLength: 20 };

  it('gradual: idle once a 3-minute window of quiet checks is full (the first one counts from 0, as in WSL)', () => {
    expect(idleChecks(gradual, [0, 0, 0, 0, 0, 0, 0, 0])).toEqual([false, false, false, false, false, false, true, true]);
  });

  it('dropcache: needs 10 minutes', () => {
    const checks = idleChecks(dropcache, Array.from({ length: 22 }, () => 0));
    expect(checks.indexOf(true)).toBe(20);
  });

  it('a busy 30 s (at or over 0.5%) is not idle, and the window must be quiet again', () => {
    expect(idleChecks(gradual, [0, 0, 0, 0, 0, 0, 29, 30, 0, 0])).toEqual([false, false, false, false, false, false, true, false, true, true]);
    // The window allows 0.5% × (6 + 1) checks in all: 100 ticks once is still idle, 300 is not until it leaves the window.
    expect(idleChecks(gradual, [0, 0, 0, 0, 0, 0, 0, 100, 0, 0])).toEqual([false, false, false, false, false, false, true, false, true, true]);
    expect(idleChecks(gradual, [0, 0, 0, 0, 0, 0, 0, 300, 0, 0, 0, 0, 0, 0, 0])).toEqual([false, false, false, false, false, false, true, false, false, false, false, false, false, true, true]);
  });
});
