import { describe, expect, it } from 'vitest';
import { buildSnapshot, GIB } from '../test/builders.js';
import { createNeuralAdvisor, openNeuralAdvisor, type NeuralAdvisor } from './advisor.js';
import { FEATURE_NAMES } from './features.js';
import { createLearner, type Learner, type Prediction } from './learner.js';
import { createMemoryModelStore, emptyStats, formatModel, parseModel } from './model-file.js';
import { summariseModel } from './status.js';
import type { ReclaimDecisionLike } from './types.js';

const MIB = 1024 ** 2;
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const decision = (targetBytes: number | null = 2 * GIB): ReclaimDecisionLike => ({ kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes, reason: 'host available 20% < 25%' });

/** A learner whose prediction is fixed, to pin the advisor's verdict rules. */
function fixedLearner(prediction: Prediction, samples = 25): Learner {
  return { samples, featureNames: FEATURE_NAMES, predict: () => prediction, learn: () => ({ before: prediction, loss: 0 }), toJSON: () => createLearner().toJSON() };
}

function ask(advisor: NeuralAdvisor, minutes: number, targetBytes: number | null = 2 * GIB, psi = 0) {
  return advisor.advise({ decision: decision(targetBytes), snapshot: buildSnapshot({ at: at(minutes).toISOString(), psi }), now: at(minutes), lastActionAt: null, runningContainers: 2 });
}

/**
 * One reclaim episode through the advisor's real loop: observe, advise, act, then the machine
 * answers. On a busy machine (high PSI) the reclaimed cache is refaulted and PSI climbs; on an
 * idle one the freed memory stays free.
 */
function episode(advisor: NeuralAdvisor, start: number, busy: boolean) {
  const psi = busy ? 30 : 1;
  const before = buildSnapshot({ at: at(start).toISOString(), psi, free: 2 * GIB, refaults: 10_000 });
  advisor.observe(before, at(start));
  const advice = advisor.advise({ decision: decision(), snapshot: before, now: at(start), lastActionAt: null, runningContainers: 1 });
  advisor.recordAction({ at: at(start), decision: decision(), targetBytes: 2 * GIB, freedBytes: 2 * GIB });
  advisor.observe(buildSnapshot({ at: at(start + 2).toISOString(), psi: busy ? 50 : 1, free: busy ? 2.5 * GIB : 4 * GIB, refaults: busy ? 10_000 + 400_000 : 10_050 }), at(start + 2));
  advisor.observe(buildSnapshot({ at: at(start + 5).toISOString(), psi: busy ? 45 : 1, free: busy ? 2.2 * GIB : 3.9 * GIB, refaults: busy ? 10_000 + 450_000 : 10_100 }), at(start + 5));
  return advice;
}

describe('createNeuralAdvisor', () => {
  it('before min_samples, vetoes when most outcomes it continues from were harmful (the young-model guard)', () => {
    const advisor = createNeuralAdvisor({ learner: createLearner({ seed: 1 }), minSamples: 20, stats: { ...emptyStats(), outcomes: 5, harmful: 4 } });
    expect(advisor.advise({ decision: decision(), snapshot: buildSnapshot(), now: at(0), lastActionAt: null, runningContainers: 0 })).toEqual({ verdict: 'veto', reason: 'young model: 4 of 5 outcomes harmful, none harmless: waiting for one that is' });
  });

  it('only observes until it has seen min_samples outcomes, so a new install behaves like its static policy', () => {
    const advisor = createNeuralAdvisor({ learner: createLearner({ seed: 1 }), minSamples: 20 });
    const verdicts = [];
    for (let i = 0; i < 20; i += 1) verdicts.push(episode(advisor, i * 6, i % 2 === 0));
    expect(verdicts.every((advice) => advice.verdict === 'allow')).toBe(true);
    expect(verdicts[0]).toEqual({ verdict: 'allow', reason: 'learning: 0 of 20 outcomes seen, the policy decides' });
    expect(verdicts[19]).toEqual({ verdict: 'allow', reason: 'learning: 19 of 20 outcomes seen, the policy decides' });
    expect(advisor.status()).toMatchObject({ phase: 'advising', samples: 20, outcomes: 20, harmful: 10, pendingOutcomes: 0, verdicts: { allow: 20, veto: 0, shrink: 0 } });
  });

  it('learns from measured outcomes to veto reclaims on a busy machine and let them through on an idle one', () => {
    const advisor = createNeuralAdvisor({ learner: createLearner({ seed: 3, learningRate: 0.1 }), minSamples: 20, maxConsecutiveVetoes: 1000 });
    for (let i = 0; i < 120; i += 1) episode(advisor, i * 6, i % 2 === 0);
    const status = advisor.status();
    expect(status.samples).toBe(120);
    expect(status.recentError?.harmAccuracy).toBe(1);

    // Six minutes after the last episode, as every episode came six minutes after the one before.
    expect(ask(advisor, 720, 2 * GIB, 30)).toMatchObject({ verdict: 'veto', reason: expect.stringMatching(/^harm expected: \d+% chance of a slowdown or OOM within 5 min \(model of 120 outcomes\)$/) });
    expect(ask(advisor, 720, 2 * GIB, 1).verdict).not.toBe('veto');
  });

  // The snapshot holds 6 GiB reclaimable; a fixed prediction makes every target keep the same share.
  it.each([
    ['lets through what it expects to keep', { keptShare: 1, harmProbability: 0.1 }, 6 * GIB, { verdict: 'allow', reason: 'expected to keep ~6.0 GiB free, harm 10% (model of 25 outcomes)' }],
    ['vetoes expected harm', { keptShare: 1, harmProbability: 0.8 }, 6 * GIB, { verdict: 'veto', reason: 'harm expected: 80% chance of a slowdown or OOM within 5 min (model of 25 outcomes)' }],
    ['shrinks in proportion to a moderate harm risk', { keptShare: 1, harmProbability: 0.4 }, 2 * GIB, { verdict: 'shrink', targetBytes: 1228 * MIB, reason: 'shrunk 2.0 GiB → 1.2 GiB: harm risk 40% (model of 25 outcomes)' }],
    ['vetoes a gain too small to bother', { keptShare: 0.5, harmProbability: 0.3 }, 24 * MIB, { verdict: 'veto', reason: 'not worth it: only ~12 MiB (50%) would stay free, under 16 MiB (model of 25 outcomes)' }],
    ['vetoes a reclaim that mostly comes back', { keptShare: 0.2, harmProbability: 0.1 }, 6 * GIB, { verdict: 'veto', reason: 'not worth it: only ~1.2 GiB (20%) would stay free, under 25% of it (model of 25 outcomes)' }],
    ['raises a target it expects to keep, when harm is unlikely', { keptShare: 0.5, harmProbability: 0.1 }, 2 * GIB, { verdict: 'raise', targetBytes: 6 * GIB, reason: 'raised 2.0 GiB → 6.0 GiB: expected to keep ~3.0 GiB free (vs ~1.0 GiB), harm 10% (model of 25 outcomes)' }],
    ['never invents a target for a whole-method reclaim', { keptShare: 0.5, harmProbability: 0.3 }, null, { verdict: 'allow', reason: 'expected to keep ~3.0 GiB free, harm 30% (model of 25 outcomes)' }],
  ])('%s', (_, prediction, target, expected) => {
    const advisor = createNeuralAdvisor({ learner: fixedLearner(prediction) });
    expect(ask(advisor, 0, target)).toEqual(expected);
    expect(advisor.status().lastAdvice).toEqual({ at: '2026-11-22T10:00:00.000Z', verdict: expected.verdict, reason: expected.reason, targetBytes: 'targetBytes' in expected ? expected.targetBytes : null });
  });

  /** A learner whose predictions depend on the target (% of RAM): by default half stays free, and harm is 45% from `riskyFrom` % up. */
  function proportionalLearner(riskyFrom = 100, share: (pct: number) => number = () => 0.5): Learner & { seen: number[][] } {
    const seen: number[][] = [];
    const target = FEATURE_NAMES.indexOf('targetPctOfRam');
    const predict = (features: ArrayLike<number>): Prediction => {
      seen.push(Array.from(features));
      const pct = features[target] as number;
      return { keptShare: share(pct), harmProbability: pct >= riskyFrom ? 0.45 : 0.05 };
    };
    return { samples: 25, featureNames: FEATURE_NAMES, predict, learn: (features) => ({ before: predict(features), loss: 0 }), toJSON: () => createLearner().toJSON(), seen };
  }

  it('raises a target when it expects a bigger reclaim to keep more free without harm', () => {
    const advisor = createNeuralAdvisor({ learner: proportionalLearner() });
    expect(ask(advisor, 0, GIB)).toEqual({ verdict: 'raise', targetBytes: 6 * GIB, reason: 'raised 1.0 GiB → 6.0 GiB: expected to keep ~3.0 GiB free (vs ~512 MiB), harm 5% (model of 25 outcomes)' });
    expect(advisor.status().verdicts).toMatchObject({ raise: 1 });
    expect(advisor.status().lastAdvice).toMatchObject({ verdict: 'raise', targetBytes: 6 * GIB });
  });

  it('does not raise into a target it finds risky, nor when raising is turned off', () => {
    // 3 GiB of 16 is 18.75% of RAM: from there on it expects 45% harm.
    expect(ask(createNeuralAdvisor({ learner: proportionalLearner(18) }), 0, GIB)).toMatchObject({ verdict: 'raise', targetBytes: 1536 * MIB });
    // 1 GiB (6.25%) is risky, 768 MiB (4.7%) is not and keeps more once harm is weighed.
    expect(ask(createNeuralAdvisor({ learner: proportionalLearner(5) }), 0, GIB)).toEqual({ verdict: 'shrink', targetBytes: 768 * MIB, reason: 'shrunk 1.0 GiB → 768 MiB: expected to keep ~384 MiB free at 5% harm (vs ~512 MiB at 45%) (model of 25 outcomes)' });
    expect(ask(createNeuralAdvisor({ learner: proportionalLearner(), mayRaise: false }), 0, GIB)).toMatchObject({ verdict: 'allow' });
  });

  describe('exploratory raises', () => {
    // Up to 7% of RAM the model is sure (5% harm, 90% stays free); beyond it, it cannot tell (45%): only trying can.
    const unsure = () => proportionalLearner(7, () => 0.9);
    /** One action of `freedBytes` at `minute`, measured five minutes later: harmless (it stayed free) or refaulted. */
    function measure(advisor: NeuralAdvisor, minute: number, freedBytes: number, harmful = false) {
      advisor.observe(buildSnapshot({ at: at(minute).toISOString() }), at(minute));
      advisor.recordAction({ at: at(minute), decision: decision(freedBytes), targetBytes: freedBytes, freedBytes });
      advisor.observe(buildSnapshot({ at: at(minute + 5).toISOString(), free: 4 * GIB + (harmful ? 0 : freedBytes), refaults: 1000 + (harmful ? freedBytes / 4096 : 0) }), at(minute + 5));
    }

    it('tries nothing larger than the model trusts before a reclaim has proved harmless', () => {
      expect(ask(createNeuralAdvisor({ learner: unsure() }), 0, GIB)).toEqual({ verdict: 'allow', reason: 'expected to keep ~922 MiB free, harm 5% (model of 25 outcomes)' });
    });

    it('tries up to twice the largest reclaim measured harmless when the proposed one is clearly safe, one at a time', () => {
      const advisor = createNeuralAdvisor({ learner: unsure() });
      measure(advisor, 0, GIB);
      expect(ask(advisor, 10, GIB)).toEqual({
        verdict: 'raise',
        targetBytes: 2 * GIB,
        reason: 'exploring: raised 1.0 GiB → 2.0 GiB, twice the largest reclaim measured harmless (1.0 GiB), as the proposed one looks safe (harm 5%, 90% expected to stay free) (model of 25 outcomes)',
      });
      advisor.recordAction({ at: at(10), decision: decision(GIB), targetBytes: 2 * GIB, freedBytes: 2 * GIB });
      // Not another until this one is measured…
      expect(ask(advisor, 11, GIB).verdict).toBe('allow');
      // …and once it stayed free, the next may go twice as far again (within what is reclaimable).
      advisor.observe(buildSnapshot({ at: at(15).toISOString(), free: 6 * GIB }), at(15));
      expect(advisor.toModelFile().stats.bounds).toEqual({ largestHarmless: 2 / 16, smallestHarmfulRaise: null });
      expect(ask(advisor, 16, GIB)).toMatchObject({ verdict: 'raise', targetBytes: 4 * GIB });
    });

    it('after harm follows a raise, tries halfway between what proved harmless and what hurt', () => {
      const advisor = createNeuralAdvisor({ learner: unsure() });
      measure(advisor, 0, GIB);
      expect(ask(advisor, 10, GIB)).toMatchObject({ verdict: 'raise', targetBytes: 2 * GIB });
      measure(advisor, 10, 2 * GIB, true);
      expect(advisor.toModelFile().stats.bounds).toEqual({ largestHarmless: 1 / 16, smallestHarmfulRaise: 2 / 16 });
      expect(ask(advisor, 20, GIB)).toEqual({
        verdict: 'raise',
        targetBytes: 1536 * MIB,
        reason: 'exploring: raised 1.0 GiB → 1.5 GiB, halfway from the largest reclaim measured harmless (1.0 GiB) to the smallest raise harm followed (2.0 GiB), as the proposed one looks safe (harm 5%, 90% expected to stay free) (model of 25 outcomes)',
      });
      // A harmless reclaim at least as large as the one that hurt lifts the bound again.
      measure(advisor, 30, 2 * GIB);
      expect(advisor.toModelFile().stats.bounds).toEqual({ largestHarmless: 2 / 16, smallestHarmfulRaise: null });
    });

    it('does not explore when the proposed reclaim is not clearly safe, nor when raising is off', () => {
      for (const options of [{ exploreHarmProbability: 0.05 }, { mayRaise: false }]) {
        const advisor = createNeuralAdvisor({ learner: unsure(), ...options });
        measure(advisor, 0, GIB);
        expect(ask(advisor, 10, GIB).verdict).toBe('allow');
      }
    });
  });

  it('shrinks to a target that stays free when a larger one would be taken back', () => {
    // Up to 5% of RAM stays free; beyond, only a tenth does (the rest is in use and comes back).
    const advisor = createNeuralAdvisor({ learner: proportionalLearner(100, (pct) => (pct < 5 ? 1 : 0.1)) });
    expect(ask(advisor, 0, 2 * GIB)).toEqual({ verdict: 'shrink', targetBytes: 768 * MIB, reason: 'shrunk 2.0 GiB → 768 MiB: expected to keep ~768 MiB free at 5% harm (vs ~205 MiB at 5%) (model of 25 outcomes)' });
  });

  it('reads CPU activity from the change of the CPU counters over the last 15 s or more', () => {
    const learner = proportionalLearner();
    const advisor = createNeuralAdvisor({ learner, mayRaise: false });
    const cpu = FEATURE_NAMES.indexOf('cpuBusyPctLog');
    const seconds = (s: number) => new Date(T0 + s * 1000);
    const observe = (s: number, busy: number, total: number) => advisor.observe(buildSnapshot({ at: seconds(s).toISOString(), cpu: { busy, total } }), seconds(s));
    const askAt = (s: number) => {
      learner.seen.length = 0;
      advisor.advise({ decision: decision(GIB), snapshot: buildSnapshot({ at: seconds(s).toISOString() }), now: seconds(s), lastActionAt: null, runningContainers: 0 });
      return learner.seen[0]?.[cpu];
    };
    expect(askAt(0)).toBe(0);
    observe(0, 1000, 10_000);
    observe(10, 1300, 11_000);
    expect(askAt(10)).toBeCloseTo(Math.log1p(30));
    observe(20, 1300, 12_000);
    // The window now starts at 0 s, the newest sample at least 15 s old: 300 of 2000 ticks busy.
    expect(askAt(20)).toBeCloseTo(Math.log1p(15));
    observe(40, 1300, 14_000);
    // …and now at 20 s: nothing ran since.
    expect(askAt(40)).toBe(0);
    // After a gap (the governor was stopped) a stale sample does not dilute the present: 5 s at 10%.
    observe(200, 1300, 30_000);
    observe(205, 1400, 31_000);
    expect(askAt(205)).toBeCloseTo(Math.log1p(10));
  });

  it('lets one reclaim through after max consecutive vetoes, so it keeps measuring', () => {
    const advisor = createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0.1, harmProbability: 0.9 }), maxConsecutiveVetoes: 3 });
    const verdicts = [0, 1, 2, 3, 4].map((minute) => ask(advisor, minute));
    expect(verdicts.map((advice) => advice.verdict)).toEqual(['veto', 'veto', 'veto', 'allow', 'veto']);
    expect(verdicts[3]).toEqual({ verdict: 'allow', reason: 'probe after 3 vetoes: harm 90% expected, measuring again (model of 25 outcomes)' });
  });

  it('gives no advice on a snapshot it cannot read, and says why', () => {
    const errors: Error[] = [];
    const advisor = createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0.1, harmProbability: 0.9 }), onError: (error) => errors.push(error) });
    const advice = advisor.advise({ decision: decision(), snapshot: buildSnapshot({ psi: Number.NaN }), now: at(0), lastActionAt: null, runningContainers: null });
    expect(advice).toEqual({ verdict: 'allow', reason: 'no advice: feature psiSomeAvg10 is NaN; only finite numbers are accepted' });
    expect(errors.map((error) => (error as Error & { code: string }).code)).toEqual(['GOV_NEURAL_INVALID_INPUT']);
  });

  it('learns "slow" feedback as harm and counts outcomes it could not measure', () => {
    const advisor = createNeuralAdvisor({ learner: createLearner(), minSamples: 20 });
    advisor.observe(buildSnapshot({ at: at(0).toISOString() }), at(0));
    advisor.recordAction({ at: at(0), decision: decision(), targetBytes: GIB, freedBytes: GIB });
    advisor.recordFeedback('slow', at(1));
    advisor.observe(buildSnapshot({ at: at(5).toISOString() }), at(5));
    advisor.recordAction({ at: at(6), decision: decision(), targetBytes: GIB, freedBytes: GIB });
    advisor.observe(buildSnapshot({ at: at(30).toISOString() }), at(30));
    expect(advisor.status()).toMatchObject({ samples: 1, outcomes: 1, harmful: 1, expired: 1, pendingOutcomes: 0 });
    expect(advisor.toModelFile().stats.recent.map((entry) => [entry.harm, entry.harmReasons])).toEqual([[true, ['slow feedback']]]);
  });

  it('states what it would do on the latest snapshot', () => {
    const advisor = createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0.5, harmProbability: 0.2 }) });
    advisor.observe(buildSnapshot({ at: at(0).toISOString() }), at(0));
    expect(advisor.status().preference).toEqual({ at: '2026-11-22T10:00:00.000Z', action: 'reclaim', targetBytes: 6 * GIB, predictedKeptBytes: 3 * GIB, harmProbability: 0.2, summary: 'reclaim about 6.0 GiB now (keeps ~3.0 GiB free, harm 20%)' });
    const cautious = createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0.1, harmProbability: 0.7 }) });
    cautious.observe(buildSnapshot({ at: at(0).toISOString() }), at(0));
    expect(cautious.status().preference).toMatchObject({ action: 'wait', targetBytes: null, summary: 'wait: reclaiming now risks harm (70%)' });
    const futile = createNeuralAdvisor({ learner: fixedLearner({ keptShare: 0, harmProbability: 0.1 }) });
    futile.observe(buildSnapshot({ at: at(0).toISOString() }), at(0));
    expect(futile.status().preference).toMatchObject({ action: 'wait', targetBytes: null, predictedKeptBytes: 0, summary: 'wait: reclaiming now would keep only ~0 MiB free' });
  });

  it('refuses option combinations that make no sense', () => {
    const learner = createLearner();
    expect(() => createNeuralAdvisor({ learner, minSamples: -1 })).toThrow('minSamples must be a whole number ≥ 0, got -1');
    expect(() => createNeuralAdvisor({ learner, vetoHarmProbability: 0.2, shrinkHarmProbability: 0.3 })).toThrow('need 0 < shrinkHarmProbability ≤ vetoHarmProbability ≤ 1, got 0.3 and 0.2');
    expect(() => createNeuralAdvisor({ learner, minKeptShare: 1.5 })).toThrow('minKeptShare must lie in 0…1, got 1.5');
    expect(() => createNeuralAdvisor({ learner, exploreHarmProbability: 0.3 })).toThrow('need 0 ≤ exploreHarmProbability ≤ shrinkHarmProbability, got 0.3 and 0.25');
  });
});

describe('openNeuralAdvisor', () => {
  it('starts over on reset: a new network with the same seed, no outcomes, and the file deleted', async () => {
    const store = createMemoryModelStore(null, 'state/neural-model.json');
    const { advisor } = await openNeuralAdvisor({ store, minSamples: 2, learner: { seed: 4, replaySteps: 3 } });
    for (let i = 0; i < 3; i += 1) episode(advisor, i * 6, i === 1);
    advisor.observe(buildSnapshot({ at: at(20).toISOString() }), at(20));
    advisor.recordAction({ at: at(20), decision: decision(), targetBytes: GIB, freedBytes: GIB });
    expect(advisor.status()).toMatchObject({ samples: 3, pendingOutcomes: 1 });
    expect(await advisor.reset()).toBe(true);
    expect(store.files.has('state/neural-model.json')).toBe(false);
    expect(advisor.status()).toMatchObject({ phase: 'observing', samples: 0, outcomes: 0, pendingOutcomes: 0, verdicts: { allow: 0, veto: 0, shrink: 0, raise: 0 } });
    const fresh = createLearner({ seed: 4, replaySteps: 3 }).toJSON();
    expect(advisor.learner.toJSON()).toEqual(fresh);
    // It learns and saves again from scratch.
    episode(advisor, 100, false);
    await advisor.flush();
    expect(parseModel(store.files.get('state/neural-model.json')!).learner.samples).toBe(1);
    expect(await advisor.reset()).toBe(true);
    expect(await advisor.reset()).toBe(false);
  });


  it('saves after each learned outcome and continues from the file on the next start', async () => {
    const store = createMemoryModelStore(null, 'state/neural-model.json');
    const clock = () => new Date('2026-11-22T12:00:00.000Z');
    const first = await openNeuralAdvisor({ store, now: clock, minSamples: 2, learner: { seed: 4 } });
    expect(first.loaded).toEqual({ status: 'missing', model: null });
    for (let i = 0; i < 3; i += 1) episode(first.advisor, i * 6, i === 1);
    await first.advisor.flush();
    const saved = parseModel(store.files.get('state/neural-model.json')!);
    expect(saved).toEqual(first.advisor.toModelFile());
    expect(saved.learner.samples).toBe(3);

    const second = await openNeuralAdvisor({ store, now: clock, minSamples: 2 });
    expect(second.loaded.status).toBe('loaded');
    expect(second.advisor.status()).toEqual({ ...first.advisor.status(), pendingOutcomes: 0 });
    expect(second.advisor.toModelFile()).toEqual(first.advisor.toModelFile());
    const { pendingOutcomes: _, ...status } = second.advisor.status();
    expect(summariseModel(saved, 2)).toEqual({ ...status, createdAt: '2026-11-22T12:00:00.000Z', updatedAt: '2026-11-22T12:00:00.000Z' });
  });

  it('starts fresh next to a set-aside file from another schema', async () => {
    const foreign = formatModel({ ...createNeuralAdvisor({ learner: createLearner() }).toModelFile(), featureSchema: { id: 'gov.neural.features', version: 0, names: ['hour'] } });
    const store = createMemoryModelStore(foreign, 'm.json');
    const opened = await openNeuralAdvisor({ store, now: () => new Date('2026-11-22T12:00:00.000Z') });
    expect(opened.loaded).toEqual({ status: 'set-aside', model: null, setAsideTo: 'm.json.rejected-2026-11-22T12-00-00Z', problem: 'model was trained on feature schema gov.neural.features v0, this is gov.neural.features v3' });
    expect(opened.advisor.status().samples).toBe(0);
  });

  it('reports a failed save without stopping', async () => {
    const store = { ...createMemoryModelStore(), write: async () => Promise.reject(new Error('disk full')) };
    const errors: string[] = [];
    const { advisor } = await openNeuralAdvisor({ store, onError: (error) => errors.push(error.message) });
    episode(advisor, 0, false);
    await advisor.flush();
    expect(errors).toEqual(['disk full']);
    expect(advisor.status().samples).toBe(1);
  });
});
