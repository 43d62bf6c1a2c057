import { describe, expect, test } from 'vitest';
import { toHistoryAdvice, toHistoryRecord } from './record.js';

const cause = { at: '2026-01-28T10:00:00.000Z', policy: 'dynamic' as const, code: 'host-below-target', reason: 'host is low', advice: null };

describe('toHistoryRecord', () => {
  test('a reclaim: the method that really ran, its steps without detail, the fallback', () => {
    const record = toHistoryRecord(
      {
        kind: 'reclaim',
        result: {
          method: 'cgroup_reclaim',
          targetBytes: 1024,
          steps: [
            { name: 'sync', status: 'ok', durationMs: 3 },
            { name: 'drop_caches', status: 'failed', durationMs: 1, error: { code: 'GOV_RECLAIM_PERMISSION', message: 'needs root' } },
          ],
          freedBytes: 0,
          durationMs: 4,
          dryRun: false,
          fallback: { from: 'cgroup_reclaim', to: 'drop_caches', reason: 'no cgroup v2' },
        },
      },
      { ...cause, advice: toHistoryAdvice({ verdict: 'shrink', targetBytes: 1024, reason: 'less' }) },
    );
    expect(record).toEqual({
      kind: 'reclaim',
      at: cause.at,
      policy: 'dynamic',
      code: 'host-below-target',
      reason: 'host is low',
      method: 'drop_caches',
      targetBytes: 1024,
      freedBytes: 0,
      durationMs: 4,
      dryRun: false,
      steps: [
        { name: 'sync', status: 'ok', durationMs: 3 },
        { name: 'drop_caches', status: 'failed', durationMs: 1, error: { code: 'GOV_RECLAIM_PERMISSION', message: 'needs root' } },
      ],
      advice: { verdict: 'shrink', reason: 'less', targetBytes: 1024 },
      fallback: { from: 'cgroup_reclaim', to: 'drop_caches', reason: 'no cgroup v2' },
    });
  });

  test('a pause of idle containers', () => {
    expect(toHistoryRecord({ kind: 'pause-idle-containers', paused: ['db'], freedBytes: 5, durationMs: 9, dryRun: true }, cause)).toEqual({
      kind: 'pause-idle-containers',
      at: cause.at,
      policy: 'dynamic',
      code: 'host-below-target',
      reason: 'host is low',
      paused: ['db'],
      freedBytes: 5,
      durationMs: 9,
      dryRun: true,
    });
  });

  test('a reclaim of idle pods\' page cache', () => {
    expect(toHistoryRecord({ kind: 'reclaim-idle-pods', reclaimed: ['shop/web'], freedBytes: 64, durationMs: 12, dryRun: false }, cause)).toEqual({
      kind: 'reclaim-idle-pods',
      at: cause.at,
      policy: 'dynamic',
      code: 'host-below-target',
      reason: 'host is low',
      reclaimed: ['shop/web'],
      freedBytes: 64,
      durationMs: 12,
      dryRun: false,
    });
  });

  test('advice keeps a target only for shrink and raise', () => {
    expect(toHistoryAdvice({ verdict: 'veto', reason: 'no' })).toEqual({ verdict: 'veto', reason: 'no', targetBytes: null });
    expect(toHistoryAdvice({ verdict: 'raise', targetBytes: 7, reason: 'more' })).toEqual({ verdict: 'raise', reason: 'more', targetBytes: 7 });
  });
});
