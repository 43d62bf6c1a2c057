import type { Snapshot } from '@gov/meminfo';
import { describe, expect, it } from 'vitest';
import { judgeHealth, judgeReadiness, maxTickAgeSeconds } from './health.js';

const STARTED = new Date('2026-01-28T10:00:00.000Z');
const at = (seconds: number) => new Date(STARTED.getTime() + seconds * 1000);

const snapshot = (degraded: Snapshot['degraded'], linux: boolean = true): Snapshot => ({
  at: '2026-01-28T10:00:30.000Z',
  environment: 'linux',
  linux: linux ? ({ total: 1 } as Snapshot['linux']) : null,
  pressure: null,
  vmstat: null,
  cpu: null,
  host: null,
  degraded,
});

describe('judgeHealth', () => {
  it('allows two check intervals plus a minute without a finished tick', () => {
    expect(maxTickAgeSeconds(30)).toBe(120);
    expect(maxTickAgeSeconds(1)).toBe(62);
  });

  it('is ok while the last tick is recent, and stale once it is older than the bound', () => {
    expect(judgeHealth({ now: at(150), startedAt: STARTED, ticks: 4, lastTickAt: at(30), checkIntervalSecs: 30 })).toEqual({
      passing: true,
      answer: { status: 'ok', ticks: 4, lastTickAt: '2026-01-28T10:00:30.000Z', ageSeconds: 120, maxAgeSeconds: 120 },
    });
    expect(judgeHealth({ now: at(150.5), startedAt: STARTED, ticks: 4, lastTickAt: at(30), checkIntervalSecs: 30 })).toEqual({
      passing: false,
      answer: { status: 'stale', ticks: 4, lastTickAt: '2026-01-28T10:00:30.000Z', ageSeconds: 120.5, maxAgeSeconds: 120 },
    });
  });

  it('counts from the start before the first tick, so a loop that never ticks turns stale too', () => {
    expect(judgeHealth({ now: at(5), startedAt: STARTED, ticks: 0, lastTickAt: null, checkIntervalSecs: 30 }).answer).toEqual({ status: 'ok', ticks: 0, lastTickAt: null, ageSeconds: 5, maxAgeSeconds: 120 });
    expect(judgeHealth({ now: at(121), startedAt: STARTED, ticks: 0, lastTickAt: null, checkIntervalSecs: 30 }).passing).toBe(false);
  });
});

describe('judgeReadiness', () => {
  it('is starting before the first snapshot', () => {
    expect(judgeReadiness(null)).toEqual({ passing: false, answer: { status: 'starting', snapshotAt: null, failing: [] } });
  });

  it('is ready when every source answered or is one this machine does not offer', () => {
    const noPsi = { source: 'pressure', code: 'GOV_MEMINFO_UNSUPPORTED', message: '/proc/pressure/memory does not exist on this kernel' };
    expect(judgeReadiness(snapshot([noPsi]))).toEqual({ passing: true, answer: { status: 'ready', snapshotAt: '2026-01-28T10:00:30.000Z', failing: [] } });
  });

  it('is degraded, naming the failing sources, when one failed or Linux memory is missing', () => {
    const timeout = { source: 'vmstat', code: 'GOV_MEMINFO_TIMEOUT', message: 'no answer in 1000 ms' };
    expect(judgeReadiness(snapshot([timeout]))).toEqual({ passing: false, answer: { status: 'degraded', snapshotAt: '2026-01-28T10:00:30.000Z', failing: [timeout] } });
    expect(judgeReadiness(snapshot([], false)).passing).toBe(false);
  });
});
