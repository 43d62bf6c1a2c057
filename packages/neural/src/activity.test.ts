import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../test/builders.js';
import { activityRates, NO_ACTIVITY, recordActivity, type Activity } from './activity.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

/** The activity after each reading `[seconds, refaulted pages, busy ticks, total ticks]`, in turn. */
function replay(readings: [number, number, number, number][], from: Activity = NO_ACTIVITY): Activity {
  return readings.reduce((activity, [s, refaults, busy, total]) => recordActivity(activity, buildSnapshot({ refaults, cpu: { busy, total } }), T0 + s * 1000), from);
}

describe('activity', () => {
  it('knows no rate before two readings', () => {
    expect(activityRates(NO_ACTIVITY, 4096)).toEqual({ refaultBytesPerSec: 0, cpuBusyPercent: null });
    expect(activityRates(replay([[0, 1000, 10, 100]]), 4096)).toEqual({ refaultBytesPerSec: 0, cpuBusyPercent: null });
  });

  it('measures refaults over the last minute and CPU over the last 15 s or more', () => {
    const activity = replay([
      [0, 1000, 1000, 10_000],
      [30, 1300, 1100, 11_000],
      [60, 1600, 1200, 12_000],
      [70, 1700, 1500, 13_000],
    ]);
    // Refaults since 0 s (the newest sample at least 60 s old): 700 pages of 4 KiB over 70 s.
    // CPU: the newest sample at least 15 s old is from 30 s, but 40 s is more than two windows,
    // so it counts from the younger one at 60 s: 300 of 1000 ticks busy.
    expect(activityRates(activity, 4096)).toEqual({ refaultBytesPerSec: (700 * 4096) / 70, cpuBusyPercent: 30 });
  });

  it('keeps only the samples the windows need, ignores a reading that is not newer, and changes no input', () => {
    const before = replay([
      [0, 1000, 0, 0],
      [100, 1100, 0, 1000],
      [200, 1200, 0, 2000],
    ]);
    const copy = structuredClone(before);
    const after = recordActivity(before, buildSnapshot({ refaults: 5000, cpu: { busy: 0, total: 0 } }), T0 + 150_000);
    expect(after).toEqual(before);
    expect(before).toEqual(copy);
    expect(before.refaults.map((sample) => sample.atMs - T0)).toEqual([100_000, 200_000]);
  });
});
