import type { Snapshot } from '@gov/meminfo';
import { describe, expect, it } from 'vitest';
import { TELEMETRY_MAX_POINTS } from '@gov/api';
import { createTelemetry, thinPoints, toTelemetryPoint } from './telemetry.js';

const GIB = 1024 ** 3;

function snapshotAt(at: string, cached: number): Snapshot {
  return {
    at,
    environment: 'linux',
    linux: { total: 8 * GIB, used: 2 * GIB, free: GIB, shared: 0, buffCache: cached, available: 6 * GIB, swapTotal: 0, swapUsed: 0, swapFree: 0, buffers: 0, cached, sReclaimable: 0, shmem: 0, reclaimable: cached, actualUsage: 2 * GIB, activeFile: null, inactiveFile: null },
    pressure: { some: { avg10: 0.5, avg60: 0, avg300: 0, totalUs: 0 }, full: null },
    vmstat: null,
    cpu: null,
    host: { total: 8 * GIB, available: 6 * GIB, vmmem: null },
    degraded: [],
  };
}

describe('toTelemetryPoint', () => {
  it('keeps the numbers the chart draws', () => {
    expect(toTelemetryPoint(snapshotAt('2026-01-28T10:00:00.000Z', 3 * GIB))).toEqual({
      at: '2026-01-28T10:00:00.000Z',
      total: 8 * GIB,
      used: 2 * GIB,
      cached: 3 * GIB,
      available: 6 * GIB,
      reclaimable: 3 * GIB,
      hostTotal: 8 * GIB,
      hostAvailable: 6 * GIB,
      psiSomeAvg10: 0.5,
    });
  });

  it('has nulls where the snapshot lacks a source', () => {
    const bare: Snapshot = { at: '2026-01-28T10:00:00.000Z', environment: 'linux', linux: null, pressure: null, vmstat: null, cpu: null, host: null, degraded: [] };
    expect(toTelemetryPoint(bare)).toEqual({ at: bare.at, total: null, used: null, cached: null, available: null, reclaimable: null, hostTotal: null, hostAvailable: null, psiSomeAvg10: null });
  });
});

describe('createTelemetry', () => {
  it('keeps the newest samples within its capacity, oldest first', () => {
    const telemetry = createTelemetry({ pointCapacity: 3, now: () => 0 });
    for (let i = 0; i < 5; i++) telemetry.recordSnapshot(snapshotAt(`2026-01-28T10:00:0${i}.000Z`, i));
    expect(telemetry.points().map((point) => [point.at, point.cached])).toEqual([
      ['2026-01-28T10:00:02.000Z', 2],
      ['2026-01-28T10:00:03.000Z', 3],
      ['2026-01-28T10:00:04.000Z', 4],
    ]);
    expect(telemetry.memoryStatus().buffers.points).toEqual({ bytes: 768, count: 3, capacity: 3, evictedEntries: 0, droppedEntries: 2, rejectedEntries: 0 });
  });

  it('stays within its byte budget however much is recorded, evicting samples before actions', () => {
    let clockMs = 0;
    const telemetry = createTelemetry({ budgetBytes: 64 * 1024, now: () => (clockMs += 500) });
    telemetry.recordAction({ at: '2026-01-28T10:00:00.000Z', kind: 'reclaim', method: 'full', freedBytes: GIB, dryRun: false });
    for (let i = 0; i < 2000; i++) telemetry.recordSnapshot(snapshotAt('2026-01-28T10:00:00.000Z', i));
    const status = telemetry.memoryStatus();
    expect(status.totalBytes).toBeLessThanOrEqual(2 * 64 * 1024);
    expect(status.totalEvictions).toBeGreaterThan(0);
    expect(telemetry.actions()).toEqual([{ at: '2026-01-28T10:00:00.000Z', kind: 'reclaim', method: 'full', freedBytes: GIB, dryRun: false }]);
  });
});

describe('thinPoints', () => {
  it('keeps every n-th point, ending on the last', () => {
    expect(thinPoints([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([1, 4, 7]);
    expect(thinPoints([1, 2, 3], 3)).toEqual([1, 2, 3]);
  });
});

describe('telemetry.range', () => {
  const at = (ms: number) => new Date(Date.parse('2026-01-28T00:00:00.000Z') + ms).toISOString();
  const MINUTE = 60_000;

  it('answers the last hour from the fine samples, and a week with the coarse ones before them', () => {
    let clockMs = Date.parse(at(0));
    // Fine samples hold the last 30 minutes; one coarse sample per 10-minute slot for longer.
    const telemetry = createTelemetry({ pointCapacity: 30, coarseSlotMs: 10 * MINUTE, now: () => clockMs });
    for (let minute = 0; minute < 3 * 60; minute += 1) telemetry.recordSnapshot(snapshotAt(at(minute * MINUTE), minute));
    telemetry.recordAction({ at: at(10 * MINUTE), kind: 'reclaim', method: 'full', freedBytes: GIB, dryRun: true });
    telemetry.recordAction({ at: at(170 * MINUTE), kind: 'reclaim', method: 'drop_caches', freedBytes: 0, dryRun: true });
    clockMs = Date.parse(at(180 * MINUTE));

    const hour = telemetry.range('hour');
    // The fine samples reach back 30 minutes; the coarse ones fill the half hour before.
    expect(hour.snapshots.map((point) => point.cached)).toEqual([120, 130, 140, ...Array.from({ length: 30 }, (_, i) => 150 + i)]);
    expect([hour.range, hour.actions.map((action) => action.method), hour.heldSince]).toEqual(['hour', ['drop_caches'], at(0)]);

    const week = telemetry.range('week');
    expect(week.snapshots.map((point) => point.cached)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, ...Array.from({ length: 30 }, (_, i) => 150 + i)]);
    expect(week.actions.map((action) => action.method)).toEqual(['full', 'drop_caches']);
  });

  it('thins a range to at most TELEMETRY_MAX_POINTS samples', () => {
    let clockMs = Date.parse(at(0));
    const telemetry = createTelemetry({ now: () => clockMs });
    for (let i = 0; i < 2880; i += 1) telemetry.recordSnapshot(snapshotAt(at(i * 30_000), i));
    clockMs = Date.parse(at(2880 * 30_000));
    const day = telemetry.range('day');
    expect([day.snapshots.length <= TELEMETRY_MAX_POINTS, day.snapshots.at(-1)?.cached, day.snapshots[0]?.cached]).toEqual([true, 2879, 3]);
  });
});
