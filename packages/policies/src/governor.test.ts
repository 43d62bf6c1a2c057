import { readFileSync } from 'node:fs';
import type { Snapshot } from '@gov/meminfo';
import { describe, expect, test, vi } from 'vitest';
import { GiB, MiB, snapshot, wslSnapshot } from '../test/builders.js';
import { defaultConfig, type GovConfig } from './config-schema.js';
import { parseConfigToml } from './config.js';
import type { Decision } from './decide.js';
import { createGovernor, type GovernorOptions } from './governor.js';
import type { HistoryRecord } from './history.js';
import type { Advice, Advisor, ContainerPauseOptions, PodReclaimOptionsLike, ReclaimRequestLike, ReclaimResultLike } from './ports.js';
import type { TickReport } from './tick-report.js';

const START = new Date('2026-01-15T10:00:00.000Z');

function configWith(changes: (config: GovConfig) => void = () => {}): GovConfig {
  const config = structuredClone(defaultConfig);
  changes(config);
  return config;
}

/** Fakes for every port; each records what the Governor asked of it. */
function harness(options: { snapshots?: Array<Snapshot | Error>; config?: GovConfig; advice?: Advice | Error; reclaimError?: Error; reclaimFallback?: { from: string; to: string; reason: string }; freedMeasure?: 'cgroup' | 'machine'; historyError?: Error; withContainers?: boolean; withPods?: boolean; dryRun?: boolean; listed?: Array<{ state: string }> | Error } = {}) {
  let time = START.getTime();
  const clock = {
    now: () => new Date(time),
    advance: (ms: number) => (time += ms),
  };
  const snapshots = options.snapshots ?? [wslSnapshot(4)];
  let read = 0;
  const source = {
    readSnapshot: vi.fn(async () => {
      const next = snapshots[Math.min(read, snapshots.length - 1)] as Snapshot | Error;
      read += 1;
      if (next instanceof Error) throw next;
      return next;
    }),
  };
  const requests: ReclaimRequestLike[] = [];
  const reclaimer = {
    reclaim: vi.fn(async (request: ReclaimRequestLike): Promise<ReclaimResultLike> => {
      requests.push(request);
      if (options.reclaimError) throw options.reclaimError;
      clock.advance(250);
      return {
        method: request.method,
        targetBytes: request.targetBytes ?? null,
        steps: [{ name: request.method === 'full' ? 'drop_caches' : 'cgroup_reclaim', status: 'ok', durationMs: 250 }],
        freedBytes: request.dryRun ? 0 : 1536 * MiB,
        durationMs: 250,
        dryRun: request.dryRun ?? false,
        ...(options.reclaimFallback ? { fallback: options.reclaimFallback } : {}),
        ...(options.freedMeasure ? { freedMeasure: options.freedMeasure } : {}),
      };
    }),
  };
  const pauses: ContainerPauseOptions[] = [];
  const containers = {
    pauseIdle: vi.fn(async (pauseOptions: ContainerPauseOptions) => {
      pauses.push(pauseOptions);
      return pauseOptions.dryRun ? { paused: [], wouldPause: ['db'], freedBytes: 0 } : { paused: ['db'], freedBytes: 300 * MiB };
    }),
    ...(options.listed === undefined
      ? {}
      : {
          listContainers: vi.fn(async () => {
            if (options.listed instanceof Error) throw options.listed;
            return options.listed ?? [];
          }),
        }),
  };
  const podReclaims: PodReclaimOptionsLike[] = [];
  let podListings = 0;
  const pods = {
    reclaimIdle: vi.fn(async (podOptions: PodReclaimOptionsLike) => {
      podReclaims.push(podOptions);
      return podOptions.dryRun ? { reclaimed: [], wouldReclaim: ['shop/web'], freedBytes: 0 } : { reclaimed: ['shop/web'], freedBytes: 200 * MiB };
    }),
    listPods: vi.fn(async () => {
      podListings += 1;
      return [];
    }),
  };
  const records: HistoryRecord[] = [];
  const history = {
    append: vi.fn(async (record: HistoryRecord) => {
      if (options.historyError) throw options.historyError;
      records.push(record);
    }),
  };
  const advisor = {
    advise: vi.fn((): Advice => {
      if (options.advice instanceof Error) throw options.advice;
      return options.advice ?? { verdict: 'allow', reason: 'looks fine' };
    }),
    observe: vi.fn(),
    recordAction: vi.fn(),
    recordFeedback: vi.fn(),
  } satisfies Advisor;
  const governorOptions: GovernorOptions = {
    source,
    reclaimer,
    history,
    clock,
    config: options.config ?? defaultConfig,
    ...(options.withContainers === false ? {} : { containers }),
    ...(options.withPods === false ? {} : { pods }),
    ...(options.advice === undefined ? {} : { advisor }),
    ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
  };
  const governor = createGovernor(governorOptions);
  // What each tick reported, in the order it happened: decision, failures, action, then the tick.
  const events: string[] = [];
  governor.onTick((report) => {
    if (report.taken) events.push(`decision:${report.taken.kind}`);
    for (const error of report.errors) events.push(`error:${error.stage}:${error.code}`);
    if (report.action) events.push(`action:${report.action.kind}`);
    events.push('tick');
  });
  return { governor, clock, source, reclaimer, requests, containers, pauses, podReclaims, podListings: () => podListings, history, records, advisor, events };
}

const dynamicReclaim: Decision = {
  kind: 'reclaim',
  policy: 'dynamic',
  method: 'cgroup_reclaim',
  targetBytes: Math.floor(0.7 * 4 * GiB),
  code: 'host-below-target',
  reason: 'host has 12.5% available, below the 25% target; 4096 MiB held for nothing, reclaiming 2867 MiB',
};

describe('tick', () => {
  test('snapshot → decide → act → history → events', async () => {
    const h = harness();
    const report = await h.governor.tick();
    const result: ReclaimResultLike = { method: 'cgroup_reclaim', targetBytes: dynamicReclaim.targetBytes, steps: [{ name: 'cgroup_reclaim', status: 'ok', durationMs: 250 }], freedBytes: 1536 * MiB, durationMs: 250, dryRun: false };
    const record: HistoryRecord = {
      kind: 'reclaim',
      at: START.toISOString(),
      policy: 'dynamic',
      code: 'host-below-target',
      reason: dynamicReclaim.reason,
      method: 'cgroup_reclaim',
      targetBytes: dynamicReclaim.targetBytes,
      freedBytes: 1536 * MiB,
      durationMs: 250,
      dryRun: false,
      steps: [{ name: 'cgroup_reclaim', status: 'ok', durationMs: 250 }],
      advice: null,
    };
    expect(report).toEqual({
      at: START.toISOString(),
      snapshot: wslSnapshot(4),
      decision: dynamicReclaim,
      advice: null,
      taken: dynamicReclaim,
      action: { kind: 'reclaim', result },
      record,
      dryRun: false,
      durationMs: 250,
      errors: [],
    } satisfies TickReport);
    expect(h.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: dynamicReclaim.targetBytes, compact: true, dryRun: false }]);
    expect(h.records).toEqual([record]);
    expect(h.events).toEqual(['decision:reclaim', 'action:reclaim', 'tick']);
    expect(h.governor.lastTick).toBe(report);
    expect(h.governor.state.lastReclaimAt).toBe(START.toISOString());
  });

  test('compaction is asked for under WSL2, where it hands the freed memory to Windows, and nowhere else', async () => {
    const linux = harness({ snapshots: [wslSnapshot(4, { environment: 'linux' })] });
    await linux.governor.tick();
    expect(linux.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: dynamicReclaim.targetBytes, dryRun: false }]);
    const windows = harness({ snapshots: [wslSnapshot(4, { environment: 'windows' })] });
    await windows.governor.tick();
    expect(windows.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: dynamicReclaim.targetBytes, compact: true, dryRun: false }]);
  });

  test('the next tick respects the cooldown the first one started', async () => {
    const h = harness();
    await h.governor.tick();
    h.clock.advance(30_000);
    const second = await h.governor.tick();
    expect(second.taken).toMatchObject({ kind: 'none', code: 'cooldown' });
    expect(h.reclaimer.reclaim).toHaveBeenCalledTimes(1);
    expect(h.records).toHaveLength(1);
  });

  test('a decision to do nothing writes no history line', async () => {
    const h = harness({ snapshots: [snapshot()] });
    const report = await h.governor.tick();
    expect(report.taken).toEqual({ kind: 'none', policy: 'dynamic', code: 'host-ok', reason: 'host has 50% available (target 25%) and Linux holds 12288 MiB (max 16384 MiB)' });
    expect(report.action).toBeNull();
    expect(h.records).toEqual([]);
    expect(h.events).toEqual(['decision:none', 'tick']);
  });

  test('a reclaim that fell back records the method that really ran, and why', async () => {
    const fallback = { from: 'cgroup_reclaim', to: 'drop_caches', reason: 'no cgroup v2 memory controller is mounted' };
    const h = harness({ reclaimFallback: fallback });
    await h.governor.tick();
    expect(h.records[0]).toMatchObject({ kind: 'reclaim', method: 'drop_caches', fallback });
  });

  test('the history line says what freedBytes measures when the reclaimer says it', async () => {
    const h = harness({ freedMeasure: 'machine' });
    const report = await h.governor.tick();
    expect([report.record?.kind, report.record && 'freedMeasure' in report.record ? report.record.freedMeasure : 'absent']).toEqual(['reclaim', 'machine']);
    const older = harness();
    const plain = await older.governor.tick();
    expect(plain.record && 'freedMeasure' in plain.record).toBe(false);
  });

  test('dry-run from the config: the reclaimer is asked for a dry run and the line says so', async () => {
    const h = harness({ config: configWith((c) => (c.governor.dry_run = true)), advice: { verdict: 'allow', reason: 'ok' } });
    const report = await h.governor.tick();
    expect(h.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: dynamicReclaim.targetBytes, compact: true, dryRun: true }]);
    expect(report.dryRun).toBe(true);
    expect(h.records[0]).toMatchObject({ kind: 'reclaim', dryRun: true, freedBytes: 0 });
    expect(h.advisor.recordAction).not.toHaveBeenCalled();
  });

  test('dry-run from the option wins over the config', async () => {
    const h = harness({ dryRun: true });
    await h.governor.tick();
    expect(h.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: dynamicReclaim.targetBytes, compact: true, dryRun: true }]);
  });

  test('a full reclaim is asked without a target', async () => {
    const h = harness({ snapshots: [wslSnapshot(1)] });
    const report = await h.governor.tick();
    expect(h.requests).toEqual([{ method: 'full', compact: true, dryRun: false }]);
    expect(report.record).toMatchObject({ kind: 'reclaim', policy: 'emergency', method: 'full', targetBytes: null });
  });

  test('ticks never overlap: a tick asked for while one runs is that same tick', async () => {
    const h = harness();
    const [first, second] = await Promise.all([h.governor.tick(), h.governor.tick()]);
    expect(second).toBe(first);
    expect(h.source.readSnapshot).toHaveBeenCalledTimes(1);
    const third = await h.governor.tick();
    expect(third).not.toBe(first);
    expect(h.source.readSnapshot).toHaveBeenCalledTimes(2);
  });
});

describe('failures are recorded and the next tick runs', () => {
  test('a failed snapshot', async () => {
    const h = harness({ snapshots: [Object.assign(new Error('meminfo timed out'), { code: 'GOV_MEMINFO_TIMEOUT' }), wslSnapshot(4)] });
    const report = await h.governor.tick();
    expect(report.errors.map(({ cause: _cause, ...error }) => error)).toEqual([{ stage: 'snapshot', code: 'GOV_MEMINFO_TIMEOUT', message: 'meminfo timed out' }]);
    expect(report.decision).toBeNull();
    expect(h.records).toEqual([{ kind: 'error', at: START.toISOString(), stage: 'snapshot', code: 'GOV_MEMINFO_TIMEOUT', message: 'meminfo timed out' }]);
    expect(h.events).toEqual(['error:snapshot:GOV_MEMINFO_TIMEOUT', 'tick']);
    const next = await h.governor.tick();
    expect(next.action?.kind).toBe('reclaim');
  });

  test('a reclaim that throws: an error line, and the cooldown still holds', async () => {
    const h = harness({ reclaimError: Object.assign(new Error('another reclaim is running'), { code: 'GOV_RECLAIM_BUSY' }) });
    const report = await h.governor.tick();
    expect(report.action).toBeNull();
    expect(h.records).toEqual([{ kind: 'error', at: START.toISOString(), stage: 'act', code: 'GOV_RECLAIM_BUSY', message: 'another reclaim is running' }]);
    expect(h.events).toEqual(['decision:reclaim', 'error:act:GOV_RECLAIM_BUSY', 'tick']);
    h.clock.advance(10_000);
    expect((await h.governor.tick()).taken).toMatchObject({ code: 'cooldown' });
  });

  test('a history that cannot be written: an error event, the tick still resolves', async () => {
    const h = harness({ historyError: Object.assign(new Error('disk full'), { code: 'ENOSPC' }) });
    const report = await h.governor.tick();
    expect(report.action?.kind).toBe('reclaim');
    expect(report.record).toBeNull();
    expect(h.events).toEqual(['decision:reclaim', 'error:history:ENOSPC', 'action:reclaim', 'tick']);
  });

  test('a thrown non-error still becomes a coded tick error', async () => {
    const h = harness({ snapshots: ['just a string' as unknown as Error] });
    h.source.readSnapshot.mockRejectedValueOnce('just a string');
    const report = await h.governor.tick();
    expect(report.errors.map(({ stage, code, message }) => ({ stage, code, message }))).toEqual([{ stage: 'snapshot', code: 'GOV_TICK_FAILED', message: 'just a string' }]);
  });
});

describe('advisor', () => {
  test('allow: the reclaim runs and the line keeps the advice; the advisor observes and learns of the action', async () => {
    const h = harness({ advice: { verdict: 'allow', reason: 'benefit 0.8 > harm 0.1' } });
    const report = await h.governor.tick();
    expect(h.advisor.advise).toHaveBeenCalledWith({ decision: dynamicReclaim, snapshot: wslSnapshot(4), now: START, lastActionAt: null, runningContainers: null });
    expect(h.advisor.observe).toHaveBeenCalledWith(wslSnapshot(4), START);
    expect(h.advisor.recordAction).toHaveBeenCalledWith({ at: START, decision: dynamicReclaim, targetBytes: dynamicReclaim.targetBytes, freedBytes: 1536 * MiB });
    expect(report.record).toMatchObject({ kind: 'reclaim', advice: { verdict: 'allow', reason: 'benefit 0.8 > harm 0.1', targetBytes: null } });
  });

  test('veto: nothing runs; the veto and its reason are in the decision and the history line', async () => {
    const h = harness({ advice: { verdict: 'veto', reason: 'harm 0.7 > benefit 0.2' } });
    const report = await h.governor.tick();
    const reason = `${dynamicReclaim.reason}; advisor vetoed: harm 0.7 > benefit 0.2`;
    expect(report.taken).toEqual({ kind: 'none', policy: 'dynamic', code: 'advisor-veto', reason });
    expect(h.reclaimer.reclaim).not.toHaveBeenCalled();
    expect(h.records).toEqual([
      { kind: 'veto', at: START.toISOString(), policy: 'dynamic', code: 'advisor-veto', reason, method: 'cgroup_reclaim', targetBytes: dynamicReclaim.targetBytes, advice: { verdict: 'veto', reason: 'harm 0.7 > benefit 0.2', targetBytes: null } },
    ]);
    // A veto is not an action: the next tick may reclaim.
    expect(h.governor.state.lastReclaimAt).toBeNull();
  });

  test('shrink: a smaller target runs, and the reason says so', async () => {
    const h = harness({ advice: { verdict: 'shrink', targetBytes: 512 * MiB, reason: 'cache is hot' } });
    const report = await h.governor.tick();
    expect(h.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: 512 * MiB, compact: true, dryRun: false }]);
    expect(report.taken).toEqual({ ...dynamicReclaim, targetBytes: 512 * MiB, reason: `${dynamicReclaim.reason}; advisor shrank it to 512 MiB: cache is hot` });
    expect(report.record).toMatchObject({ targetBytes: 512 * MiB, advice: { verdict: 'shrink', reason: 'cache is hot', targetBytes: 512 * MiB } });
  });

  test('raise: a larger target runs, within the floor and the reclaimer range, and the reason says so', async () => {
    const h = harness({ advice: { verdict: 'raise', targetBytes: 4 * GiB, reason: 'idle' } });
    const report = await h.governor.tick();
    expect(h.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: 4 * GiB, compact: true, dryRun: false }]);
    expect(report.taken).toMatchObject({ kind: 'reclaim', policy: 'dynamic', targetBytes: 4 * GiB, reason: expect.stringMatching(/; advisor raised it to 4096 MiB: idle$/) });
    expect(report.record).toMatchObject({ targetBytes: 4 * GiB, advice: { verdict: 'raise', reason: 'idle', targetBytes: 4 * GiB } });
    const huge = harness({ advice: { verdict: 'raise', targetBytes: 1024 * GiB, reason: 'everything' } });
    expect((await huge.governor.tick()).taken).toMatchObject({ targetBytes: expect.any(Number), reason: expect.stringMatching(/floor; advisor raised it/) });
    expect((huge.requests[0]?.targetBytes ?? 0) < 1024 * GiB).toBe(true);
  });

  test('raise can never lower the target', async () => {
    const h = harness({ advice: { verdict: 'raise', targetBytes: MiB, reason: 'less?' } });
    expect((await h.governor.tick()).taken).toEqual(dynamicReclaim);
  });

  test('the advisor learns how many containers run from the container listing of the same tick', async () => {
    const h = harness({ advice: { verdict: 'allow', reason: 'ok' }, listed: [{ state: 'running' }, { state: 'paused' }, { state: 'running' }, { state: 'running' }] });
    await h.governor.tick();
    expect(h.advisor.advise).toHaveBeenCalledWith(expect.objectContaining({ runningContainers: 3 }));
  });

  test('shrink can never grow the target, nor go under 1 MiB', async () => {
    const grow = harness({ advice: { verdict: 'shrink', targetBytes: 64 * GiB, reason: 'more!' } });
    expect((await grow.governor.tick()).taken).toEqual(dynamicReclaim);
    const tiny = harness({ advice: { verdict: 'shrink', targetBytes: 1000, reason: 'barely' } });
    expect((await tiny.governor.tick()).taken).toMatchObject({ kind: 'none', code: 'advisor-veto' });
    expect(tiny.reclaimer.reclaim).not.toHaveBeenCalled();
  });

  test('never asked about emergency reclaims or other policies', async () => {
    const emergency = harness({ snapshots: [wslSnapshot(1)], advice: { verdict: 'veto', reason: 'no' } });
    expect((await emergency.governor.tick()).taken).toMatchObject({ kind: 'reclaim', policy: 'emergency' });
    const aggressive = harness({ config: configWith((c) => (c.governor.policy = 'aggressive')), advice: { verdict: 'veto', reason: 'no' } });
    expect((await aggressive.governor.tick()).taken).toMatchObject({ kind: 'reclaim', policy: 'aggressive' });
    expect(emergency.advisor.advise).not.toHaveBeenCalled();
    expect(aggressive.advisor.advise).not.toHaveBeenCalled();
    expect(emergency.advisor.observe).toHaveBeenCalledTimes(1);
  });

  test('an advisor that throws is recorded; the policy decision stands', async () => {
    const h = harness({ advice: Object.assign(new Error('model not loaded'), { code: 'GOV_NEURAL_MODEL' }) });
    const report = await h.governor.tick();
    expect(report.taken).toEqual(dynamicReclaim);
    expect(h.records.map((record) => record.kind)).toEqual(['reclaim', 'error']);
    expect(h.records[1]).toEqual({ kind: 'error', at: START.toISOString(), stage: 'advise', code: 'GOV_NEURAL_MODEL', message: 'model not loaded' });
  });

  test('feedback reaches the advisor and the history', async () => {
    const h = harness({ advice: { verdict: 'allow', reason: 'ok' } });
    await h.governor.recordFeedback('slow', 'builds crawl');
    expect(h.advisor.recordFeedback).toHaveBeenCalledWith('slow', START);
    expect(h.records).toEqual([{ kind: 'feedback', at: START.toISOString(), feedback: 'slow', note: 'builds crawl' }]);
  });
});

describe('sensing containers', () => {
  test('the listing runs in the tick, beside the snapshot, when the advisor needs it; the report carries what it said', async () => {
    const h = harness({ advice: { verdict: 'allow', reason: 'ok' }, listed: [{ state: 'running' }, { state: 'exited' }] });
    h.containers.listContainers?.mockImplementationOnce(async () => {
      h.clock.advance(40);
      return [{ state: 'running' }, { state: 'exited' }];
    });
    const report = await h.governor.tick();
    expect(h.containers.listContainers).toHaveBeenCalledTimes(1);
    expect(report.containers).toEqual({ available: true, running: 1, error: null });
    expect(h.advisor.advise).toHaveBeenCalledWith(expect.objectContaining({ runningContainers: 1 }));
    // Inside the measured tick: its 40 ms count with the reclaim's 250 ms.
    expect(report.durationMs).toBe(290);
  });

  test('the tick is timed on the monotonic clock when the clock has one, to a fraction of a millisecond', async () => {
    let monotonic = 1000;
    const wall = new Date(START);
    const listing: Array<{ state: string }> = [{ state: 'running' }];
    const governor = createGovernor({
      source: { readSnapshot: async () => wslSnapshot(40) },
      reclaimer: { reclaim: async () => Promise.reject(new Error('not asked')) },
      containers: { pauseIdle: async () => ({ paused: [], freedBytes: 0 }), listContainers: async () => ((monotonic += 3.25), listing) },
      advisor: { advise: () => ({ verdict: 'allow', reason: 'ok' }), observe: () => undefined, recordAction: () => undefined, recordFeedback: () => undefined },
      history: { append: async () => undefined },
      // The wall clock does not move: only the monotonic one can tell how long the listing took.
      clock: { now: () => wall, monotonicMs: () => monotonic },
      config: defaultConfig,
    });
    expect((await governor.tick()).durationMs).toBe(3.25);
  });

  test('auto-pause alone is reason enough to list; without it or an advisor nothing is listed', async () => {
    const pausing = harness({ config: configWith((c) => (c.docker.auto_pause_idle_containers = true)), listed: [] });
    expect((await pausing.governor.tick()).containers).toEqual({ available: true, running: 0, error: null });
    const idle = harness({ listed: [{ state: 'running' }] });
    const report = await idle.governor.tick();
    expect(idle.containers.listContainers).not.toHaveBeenCalled();
    expect(report.containers).toBeUndefined();
  });

  test('a failed listing leaves the count unknown and the tick whole: no error line', async () => {
    const h = harness({ advice: { verdict: 'allow', reason: 'ok' }, listed: new Error('connect ENOENT /var/run/docker.sock') });
    const report = await h.governor.tick();
    expect(report.containers).toEqual({ available: false, running: null, error: 'connect ENOENT /var/run/docker.sock' });
    expect(h.advisor.advise).toHaveBeenCalledWith(expect.objectContaining({ runningContainers: null }));
    expect(report.errors).toEqual([]);
    expect(h.records.map((record) => record.kind)).toEqual(['reclaim']);
  });
});

describe('onTick', () => {
  test('every listener gets each report until it unsubscribes', async () => {
    const h = harness({ snapshots: [snapshot()] });
    const seen: string[] = [];
    const stop = h.governor.onTick((report) => seen.push(report.at));
    await h.governor.tick();
    stop();
    h.clock.advance(1000);
    await h.governor.tick();
    expect(seen).toEqual([START.toISOString()]);
    expect(h.events).toEqual(['decision:none', 'tick', 'decision:none', 'tick']);
  });
});

describe('pausing idle containers', () => {
  const autoPause = configWith((c) => {
    c.docker.auto_pause_idle_containers = true;
    c.docker.allow = ['web-*'];
    c.docker.deny = ['web-db'];
    c.docker.max_pauses_per_tick = 2;
    c.docker.idle_container_threshold_minutes = 45;
  });

  test('during a cooldown under pressure, with the config as the consent', async () => {
    const h = harness({ config: autoPause });
    await h.governor.tick();
    h.clock.advance(20_000);
    const report = await h.governor.tick();
    expect(h.pauses).toHaveLength(1);
    const { confirm, ...options } = h.pauses[0] as ContainerPauseOptions;
    expect(options).toEqual({ idleForMs: 45 * 60_000, dryRun: false, allow: ['web-*'], deny: ['web-db'], maxPausesPerTick: 2 });
    expect(confirm()).toBe(true);
    expect(report.action).toEqual({ kind: 'pause-idle-containers', paused: ['db'], freedBytes: 300 * MiB, durationMs: 0, dryRun: false });
    expect(h.records[1]).toEqual({ kind: 'pause-idle-containers', at: new Date(START.getTime() + 20_250).toISOString(), policy: 'dynamic', code: 'cooldown', reason: (report.taken as Decision).reason, paused: ['db'], freedBytes: 300 * MiB, durationMs: 0, dryRun: false });
  });

  test('in a dry run the line lists the containers that would be paused', async () => {
    const h = harness({ config: configWith((c) => Object.assign(c, { governor: { ...autoPause.governor, dry_run: true }, docker: autoPause.docker })) });
    await h.governor.tick();
    h.clock.advance(20_000);
    const report = await h.governor.tick();
    expect(report.record).toMatchObject({ kind: 'pause-idle-containers', paused: ['db'], dryRun: true, freedBytes: 0 });
  });

  test('without a container port: an error line', async () => {
    const h = harness({ config: autoPause, withContainers: false });
    await h.governor.tick();
    h.clock.advance(20_000);
    await h.governor.tick();
    expect(h.records[1]).toEqual({ kind: 'error', at: new Date(START.getTime() + 20_250).toISOString(), stage: 'act', code: 'GOV_GOVERNOR_NO_CONTAINERS', message: 'docker.auto_pause_idle_containers is on but no container port is plugged in' });
  });
});

describe('reclaiming idle pods\' page cache', () => {
  const podReclaim = configWith((c) => {
    c.kubernetes.reclaim_idle_pods = true;
    c.kubernetes.exclude = ['kube-system', 'monitoring/prometheus-*'];
    c.kubernetes.max_pods_per_tick = 2;
    c.kubernetes.idle_pod_minutes = 45;
  });

  test('during a cooldown under pressure, with the pods listed every tick for their CPU samples', async () => {
    const h = harness({ config: podReclaim });
    await h.governor.tick();
    h.clock.advance(20_000);
    const report = await h.governor.tick();
    expect(h.podListings()).toBe(2);
    expect(h.podReclaims).toEqual([{ idleForMs: 45 * 60_000, dryRun: false, exclude: ['kube-system', 'monitoring/prometheus-*'], maxPodsPerTick: 2 }]);
    expect(report.action).toEqual({ kind: 'reclaim-idle-pods', reclaimed: ['shop/web'], freedBytes: 200 * MiB, durationMs: 0, dryRun: false });
    expect(h.records[1]).toEqual({ kind: 'reclaim-idle-pods', at: new Date(START.getTime() + 20_250).toISOString(), policy: 'dynamic', code: 'cooldown', reason: (report.taken as Decision).reason, reclaimed: ['shop/web'], freedBytes: 200 * MiB, durationMs: 0, dryRun: false });
  });

  test('in a dry run the line lists the pods that would be reclaimed; with the option off, pods are not listed', async () => {
    const h = harness({ config: configWith((c) => Object.assign(c, { governor: { ...podReclaim.governor, dry_run: true }, kubernetes: podReclaim.kubernetes })) });
    await h.governor.tick();
    h.clock.advance(20_000);
    expect((await h.governor.tick()).record).toMatchObject({ kind: 'reclaim-idle-pods', reclaimed: ['shop/web'], dryRun: true, freedBytes: 0 });
    const off = harness({});
    await off.governor.tick();
    expect(off.podListings()).toBe(0);
  });

  test('without a pod port: an error line', async () => {
    const h = harness({ config: podReclaim, withPods: false });
    await h.governor.tick();
    h.clock.advance(20_000);
    await h.governor.tick();
    expect(h.records[1]).toEqual({ kind: 'error', at: new Date(START.getTime() + 20_250).toISOString(), stage: 'act', code: 'GOV_GOVERNOR_NO_PODS', message: 'kubernetes.reclaim_idle_pods is on but no pod port is plugged in' });
  });
});

describe('start, stop, setConfig', () => {
  function fakeTimers() {
    const pending: Array<{ callback: () => void; ms: number; unref: ReturnType<typeof vi.fn>; cancelled: boolean }> = [];
    return {
      pending,
      setTimeout: (callback: () => void, ms: number) => {
        const handle = { callback, ms, unref: vi.fn(), cancelled: false };
        pending.push(handle);
        return handle;
      },
      clearTimeout: (handle: unknown) => {
        (handle as { cancelled: boolean }).cancelled = true;
      },
    };
  }

  test('ticks at once, then every check_interval_secs after each tick ends; the timer is unref\'d', async () => {
    const timers = fakeTimers();
    const h = harness({ snapshots: [snapshot()] });
    const governor = createGovernor({ source: h.source, reclaimer: h.reclaimer, history: h.history, clock: h.clock, config: defaultConfig, timers });
    const ticks: TickReport[] = [];
    governor.onTick((report) => ticks.push(report));
    governor.start();
    governor.start();
    expect(timers.pending.map(({ ms }) => ms)).toEqual([0]);
    expect(timers.pending[0]?.unref).toHaveBeenCalledTimes(1);
    timers.pending[0]?.callback();
    await vi.waitFor(() => expect(timers.pending).toHaveLength(2));
    expect(ticks).toHaveLength(1);
    expect(timers.pending[1]?.ms).toBe(30_000);

    governor.setConfig(configWith((c) => (c.governor.check_interval_secs = 5)));
    expect(timers.pending[1]?.cancelled).toBe(true);
    expect(timers.pending[2]?.ms).toBe(5000);

    await governor.stop();
    expect(timers.pending[2]?.cancelled).toBe(true);
    expect(timers.pending).toHaveLength(3);
  });

  test('a listener that throws breaks neither the tick nor the timer loop', async () => {
    const timers = fakeTimers();
    const h = harness();
    const errors: unknown[] = [];
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn((object: object) => errors.push(object)) };
    const governor = createGovernor({ source: h.source, reclaimer: h.reclaimer, history: h.history, clock: h.clock, config: defaultConfig, logger, timers });
    governor.onTick(() => {
      throw new Error('listener bug');
    });
    const report = await governor.tick();
    expect(report.action?.kind).toBe('reclaim');
    expect(errors).toEqual([{ event: 'tick', err: new Error('listener bug') }]);
    governor.start();
    timers.pending[0]?.callback();
    await vi.waitFor(() => expect(timers.pending).toHaveLength(2));
    expect(timers.pending[1]?.ms).toBe(30_000);
    await governor.stop();
  });

  test('stop waits for the running tick', async () => {
    let release: () => void = () => {};
    const h = harness();
    h.source.readSnapshot.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve(wslSnapshot(4)))));
    const tick = h.governor.tick();
    let stopped = false;
    const stopping = h.governor.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    expect(h.governor.running).toBe(true);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect((await tick).action?.kind).toBe('reclaim');
    expect(h.governor.running).toBe(false);
  });

  test('setConfig applies from the next tick', async () => {
    const h = harness({ snapshots: [wslSnapshot(4)] });
    h.governor.setConfig(configWith((c) => (c.governor.policy = 'conservative')));
    expect((await h.governor.tick()).taken).toMatchObject({ kind: 'none', policy: 'conservative', code: 'host-ok' });
    expect(h.governor.config.governor.policy).toBe('conservative');
  });

  test('resumes from a persisted state', async () => {
    const h = harness();
    const governor = createGovernor({ source: h.source, reclaimer: h.reclaimer, history: h.history, clock: h.clock, config: defaultConfig, state: { ...h.governor.state, lastReclaimAt: new Date(START.getTime() - 5000).toISOString() } });
    expect((await governor.tick()).taken).toMatchObject({ code: 'cooldown' });
  });
});

test('the seed\'s own [wsl_governor] config runs unchanged', async () => {
  const seed = readFileSync(new URL('../test/seed-wsl-governor.toml', import.meta.url), 'utf8');
  const h = harness({ config: parseConfigToml(seed, 'seed.toml') });
  expect((await h.governor.tick()).taken).toEqual(dynamicReclaim);
  h.clock.advance(30_000);
  expect((await h.governor.tick()).taken).toMatchObject({ kind: 'pause-idle-containers', policy: 'dynamic' });
  expect(h.records.map((record) => record.kind)).toEqual(['reclaim', 'pause-idle-containers']);
});
