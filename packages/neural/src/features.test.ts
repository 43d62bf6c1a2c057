import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, GIB } from '../test/builders.js';
import { extractFeatures, FEATURE_NAMES } from './features.js';

const MIB = 1024 ** 2;

describe('extractFeatures', () => {
  it('builds the named vector for "reclaim now with this target"', () => {
    const now = new Date(2026, 10, 22, 18, 0, 0);
    const features = extractFeatures({
      snapshot: buildSnapshot({ psi: 3.5, host: { total: 32 * GIB, available: 8 * GIB } }),
      now,
      targetBytes: 2 * GIB,
      lastActionAt: new Date(now.getTime() - 30 * 60_000),
      runningContainers: 4,
      refaultBytesPerSec: 2 * MIB,
      cpuBusyPercent: 42.5,
    });
    expect(Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, Number(features[i]!.toFixed(6))]))).toEqual({
      hourSin: -1,
      hourCos: -0,
      hostAvailablePct: 25,
      linuxUsedPct: 37.5,
      reclaimablePct: 37.5,
      psiSomeAvg10: 3.5,
      cpuBusyPctLog: Number(Math.log1p(42.5).toFixed(6)),
      refaultMiBPerSecLog: Number(Math.log1p(2).toFixed(6)),
      runningContainers: 4,
      minutesSinceLastActionLog: Number(Math.log1p(30).toFixed(6)),
      targetPctOfRam: 12.5,
    });
  });

  it('reads a missing host as Linux available, a null target as everything reclaimable, no last action as a day ago, unknown CPU as idle', () => {
    const features = extractFeatures({ snapshot: buildSnapshot(), now: new Date(2026, 10, 22, 6, 0), targetBytes: null, lastActionAt: null, runningContainers: null, refaultBytesPerSec: 0, cpuBusyPercent: null });
    expect([features[2], features[6], features[8], features[9], features[10]]).toEqual([62.5, 0, 0, Math.log1p(1440), 37.5]);
  });

  it('refuses a snapshot without Linux memory and values that are not finite', () => {
    const base = { now: new Date(), targetBytes: null, lastActionAt: null, runningContainers: null, refaultBytesPerSec: 0, cpuBusyPercent: null };
    expect(() => extractFeatures({ ...base, snapshot: { ...buildSnapshot(), linux: null } })).toThrow(expect.objectContaining({ code: 'GOV_NEURAL_INVALID_INPUT', field: 'snapshot.linux' }));
    expect(() => extractFeatures({ ...base, snapshot: buildSnapshot({ psi: Number.NaN }) })).toThrow('feature psiSomeAvg10 is NaN; only finite numbers are accepted');
    expect(() => extractFeatures({ ...base, snapshot: buildSnapshot({ total: 0 }) })).toThrow('MemTotal is 0');
    expect(() => extractFeatures({ ...base, now: new Date(Number.NaN), snapshot: buildSnapshot() })).toThrow('feature hourSin is NaN');
    expect(() => extractFeatures({ ...base, cpuBusyPercent: Number.NaN, snapshot: buildSnapshot() })).toThrow('feature cpuBusyPctLog is NaN');
  });

  it('gives finite features or a typed refusal for any snapshot numbers (property)', () => {
    const number = fc.oneof(fc.double(), fc.integer());
    fc.assert(
      fc.property(number, number, number, number, number, fc.option(number), (total, free, used, reclaimable, psi, target) => {
        const snapshot = { at: '2026-11-22T10:00:00Z', linux: { total, free, used, available: total - used, reclaimable }, pressure: { some: { avg10: psi } }, vmstat: null, host: null };
        try {
          const features = extractFeatures({ snapshot, now: new Date(2026, 0, 1), targetBytes: target, lastActionAt: null, runningContainers: 0, refaultBytesPerSec: 0, cpuBusyPercent: 0 });
          expect(features.every(Number.isFinite)).toBe(true);
        } catch (error) {
          expect(error).toMatchObject({ name: 'NeuralInputError', code: 'GOV_NEURAL_INVALID_INPUT' });
        }
      }),
    );
  });
});
