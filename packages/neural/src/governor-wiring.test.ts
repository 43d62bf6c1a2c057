import type { LinuxMemory, Snapshot } from '@gov/meminfo';
import { configSchema, createGovernor, type Advice as PortAdvice, type AdvisedAction, type AdviceRequest, type Advisor, type HistoryRecord, type ReclaimRequestLike } from '@gov/policies';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createNeuralAdvisor } from './advisor.js';
import { FEATURE_NAMES } from './features.js';
import { createLearner, type Learner, type Prediction } from './learner.js';
import type { Advice, AdvisedActionLike, AdviceRequestLike } from './types.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

function linux(free: number, available: number): LinuxMemory {
  const total = 16 * GIB;
  const reclaimable = 6 * GIB;
  return { total, used: total - available, free, shared: 0, buffCache: reclaimable, available, swapTotal: 0, swapUsed: 0, swapFree: 0, buffers: 0, cached: reclaimable, sReclaimable: 0, shmem: 0, reclaimable, actualUsage: total - free - reclaimable, activeFile: null, inactiveFile: null };
}

function snapshot(at: Date, memory: LinuxMemory): Snapshot {
  return {
    at: at.toISOString(),
    environment: 'linux',
    linux: memory,
    pressure: { some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 }, full: null },
    vmstat: { workingsetRefaultFile: 0, workingsetRefaultAnon: 0, pgmajfault: 0, oomKill: 0, pgsteal: 0, pgscan: 0 },
    cpu: null,
    host: null,
    degraded: [],
  };
}

/** Linux holds 14 GiB, above the 1 GiB max: the dynamic policy reclaims. */
const holding = (at: Date) => snapshot(at, linux(2 * GIB, 10 * GIB));
/** 0.5 GiB of 16 available: below the 5% emergency threshold. */
const emergency = (at: Date) => snapshot(at, linux(256 * MIB, GIB / 2));

const config = configSchema.parse({ governor: { policy: 'dynamic', linux_min_mb: 0, linux_max_mb: 1024, dynamic: { reclaim_interval_secs: 1 } } });

function fixedLearner(prediction: Prediction): Learner {
  return { samples: 100, featureNames: FEATURE_NAMES, predict: () => prediction, learn: () => ({ before: prediction, loss: 0 }), toJSON: () => createLearner().toJSON() };
}

function harness(advisor: Advisor, read: (at: Date) => Snapshot) {
  let now = new Date('2026-11-22T10:00:00.000Z');
  const requests: ReclaimRequestLike[] = [];
  const history: HistoryRecord[] = [];
  const asked: string[] = [];
  const spied: Advisor = {
    advise: (request) => {
      asked.push(request.decision.policy);
      return advisor.advise(request);
    },
    observe: (s, at) => advisor.observe(s, at),
    recordAction: (action) => advisor.recordAction(action),
    recordFeedback: (kind, at) => advisor.recordFeedback(kind, at),
  };
  const governor = createGovernor({
    config,
    clock: { now: () => now },
    source: { readSnapshot: async () => read(now) },
    reclaimer: {
      reclaim: async (request) => {
        requests.push(request);
        return { method: request.method, targetBytes: request.targetBytes ?? null, steps: [], freedBytes: GIB, durationMs: 5, dryRun: false };
      },
    },
    history: { append: async (record) => void history.push(record) },
    advisor: spied,
  });
  return {
    governor,
    requests,
    history,
    asked,
    advance(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

describe('the neural advisor in the Governor', () => {
  it('mirrors the port exactly where it answers and reads no more than the port sends (checked by the compiler)', () => {
    expectTypeOf<Advice>().toEqualTypeOf<PortAdvice>();
    expectTypeOf<AdviceRequest>().toExtend<AdviceRequestLike>();
    expectTypeOf<AdvisedAction>().toExtend<AdvisedActionLike>();
  });

  it('satisfies the Advisor port as it is', () => {
    const advisor: Advisor = createNeuralAdvisor({ learner: createLearner() });
    expect(typeof advisor.advise).toBe('function');
  });

  it('vetoes a dynamic reclaim it expects to hurt, and the veto reason lands in the history', async () => {
    const run = harness(createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0.2, harmProbability: 0.9 }) }), holding);
    const report = await run.governor.tick();
    expect(run.asked).toEqual(['dynamic']);
    expect(run.requests).toEqual([]);
    expect(report.taken).toMatchObject({ kind: 'none', code: 'advisor-veto' });
    expect(run.history).toEqual([
      expect.objectContaining({ kind: 'veto', policy: 'dynamic', code: 'advisor-veto', method: 'cgroup_reclaim', advice: { verdict: 'veto', reason: 'harm expected: 90% chance of a slowdown or OOM within 5 min (model of 100 outcomes)', targetBytes: null } }),
    ]);
  });

  it('shrinks the target of a dynamic reclaim in proportion to the harm it expects', async () => {
    const run = harness(createNeuralAdvisor({ learner: fixedLearner({ keptShare: 1, harmProbability: 0.375 }) }), holding);
    await run.governor.tick();
    // The policy proposes the 6 GiB Linux holds for nothing; 62.5% of it goes ahead.
    expect(run.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: 3840 * MIB, dryRun: false }]);
    expect(run.history[0]).toMatchObject({ kind: 'reclaim', targetBytes: 3840 * MIB, advice: { verdict: 'shrink', targetBytes: 3840 * MIB } });
  });

  it('is never asked about an emergency reclaim, which goes ahead and is still measured', async () => {
    const advisor = createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0.2, harmProbability: 0.99 }) });
    const run = harness(advisor, emergency);
    const report = await run.governor.tick();
    expect(run.asked).toEqual([]);
    expect(report.taken).toMatchObject({ kind: 'reclaim', policy: 'emergency', method: 'full' });
    expect(run.requests).toEqual([{ method: 'full', dryRun: false }]);
    expect(advisor.status().pendingOutcomes).toBe(1);
  });

  it('lets the advisor raise a dynamic target, but never past the safety floor', async () => {
    const raising: Advisor = { advise: () => ({ verdict: 'raise', targetBytes: 100 * GIB, reason: 'idle: take it all' }), observe() {}, recordAction() {}, recordFeedback() {} };
    const run = harness(raising, holding);
    run.governor.setConfig(configSchema.parse({ governor: { policy: 'dynamic', linux_min_mb: 10_240, linux_max_mb: 12_288, dynamic: { reclaim_interval_secs: 1 } } }));
    const report = await run.governor.tick();
    // Linux holds 14 GiB and must keep 10: 4 GiB is all the floor leaves, whatever the advisor asked.
    expect(run.requests).toEqual([{ method: 'cgroup_reclaim', targetBytes: 4 * GIB, dryRun: false }]);
    expect(report.taken).toMatchObject({ kind: 'reclaim', policy: 'dynamic', targetBytes: 4 * GIB, reason: expect.stringMatching(/limited to 4096 MiB by the 10240 MiB floor; advisor raised it to 4096 MiB: idle: take it all$/) });
    expect(run.history[0]).toMatchObject({ kind: 'reclaim', targetBytes: 4 * GIB, advice: { verdict: 'raise', targetBytes: 100 * GIB } });
  });

  it('is never asked when the safety floor stops a reclaim', async () => {
    const floorConfig = configSchema.parse({ governor: { policy: 'dynamic', linux_min_mb: 16_000, linux_max_mb: 16_000 } });
    const advisor = createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0.2, harmProbability: 0.01 }) });
    const run = harness(advisor, holding);
    run.governor.setConfig(floorConfig);
    const report = await run.governor.tick();
    expect(report.decision).toMatchObject({ kind: 'none' });
    expect(run.asked).toEqual([]);
    expect(run.requests).toEqual([]);
  });

  it('learns from the Governor loop: the policy acts during cold start, then freed memory that never stays free gets vetoed', async () => {
    const advisor = createNeuralAdvisor({ learner: createLearner({ seed: 1 }), minSamples: 2, horizonMs: 60_000 });
    // MemFree never rises after a reclaim here: whatever is freed is taken again at once.
    const run = harness(advisor, holding);
    for (let i = 0; i < 14; i += 1) {
      await run.governor.tick();
      run.advance(65);
    }
    const advice = run.history.map((record) => ('advice' in record ? record.advice : null));
    expect(advice.slice(0, 2).map((entry) => entry?.reason)).toEqual(['learning: 0 of 2 outcomes seen, the policy decides', 'learning: 1 of 2 outcomes seen, the policy decides']);
    expect(run.requests.slice(0, 2)).toEqual([
      { method: 'cgroup_reclaim', targetBytes: 6 * GIB, dryRun: false },
      { method: 'cgroup_reclaim', targetBytes: 6 * GIB, dryRun: false },
    ]);
    // After that the policy still proposes 6 GiB every tick; the advisor lets none of it through
    // whole: mostly vetoes, now and then a smaller reclaim it learns from.
    const later = advice.slice(2);
    expect(later).toHaveLength(12);
    expect(later.every((entry) => entry?.verdict === 'veto' || entry?.verdict === 'shrink')).toBe(true);
    const vetoes = later.filter((entry) => entry?.verdict === 'veto');
    expect(vetoes.length).toBeGreaterThanOrEqual(9);
    expect(vetoes.every((entry) => /^not worth it: only ~[\d.]+ [MG]iB \(\d+%\) would stay free/.test(entry?.reason ?? ''))).toBe(true);
    expect(run.requests.slice(2).every((request) => (request.targetBytes ?? Infinity) <= 3 * GIB)).toBe(true);
    expect(advisor.status()).toMatchObject({ samples: 2 + run.requests.length - 2, pendingOutcomes: 0 });
  });
});
