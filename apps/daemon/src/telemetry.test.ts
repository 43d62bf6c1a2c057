import type { Snapshot } from '@gov/meminfo';
import { describe, expect, it } from 'vitest';
import { createTelemetry, toTelemetryPoint } from './telemetry.js';

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
