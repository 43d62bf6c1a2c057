import { describe, expect, it } from 'vitest';
import { buildSnapshot, GIB } from '../test/builders.js';
import { advise, preferNow, type AdviceBounds, type AdviceInput, type AdviceModel } from './advise.js';
import { resolveAdvisorSettings } from './advisor-settings.js';
import type { Prediction } from './learner.js';

const MIB = 1024 ** 2;
const NOW = new Date('2026-11-22T10:00:00.000Z');

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A model that always predicts `prediction`, after `samples` outcomes. */
function fixedModel(prediction: Prediction, samples = 25, tuning = {}): AdviceModel {
  return { predictor: { samples, predict: () => prediction }, settings: resolveAdvisorSettings(tuning) };
}

function request(targetBytes: number | null, snapshot = buildSnapshot()): AdviceInput {
  return { decision: { targetBytes }, snapshot, now: NOW, lastActionAt: null, runningContainers: 1, refaultBytesPerSec: 0, cpuBusyPercent: null };
}

const untried: AdviceBounds = { reclaim: { largestHarmless: 0, smallestHarmfulRaise: null }, consecutiveVetoes: 0, explorationPending: false, record: { outcomes: 0, harmful: 0 } };

describe('advise', () => {
  it('answers from its inputs alone and changes none of them', () => {
    const model = deepFreeze(fixedModel({ keptShare: 1, harmProbability: 0.4 }));
    const input = deepFreeze(request(2 * GIB));
    const bounds = deepFreeze(untried);
    const first = advise(model, input, bounds);
    expect(first).toEqual({ advice: { verdict: 'shrink', targetBytes: 1228 * MIB, reason: 'shrunk 2.0 GiB → 1.2 GiB: harm risk 40% (model of 25 outcomes)' }, exploratory: false, refused: null });
    expect(advise(model, input, bounds)).toEqual(first);
  });

  it('lets every decision through until the model has learned from min_samples outcomes', () => {
    expect(advise(fixedModel({ keptShare: 0, harmProbability: 1 }, 3), request(GIB), untried)).toEqual({ advice: { verdict: 'allow', reason: 'learning: 3 of 20 outcomes seen, the policy decides' }, exploratory: false, refused: null });
  });

  it('before min_samples, acts on a record of mostly harmful outcomes: shrinks to the largest harmless, else vetoes, probing after the limit', () => {
    const young = fixedModel({ keptShare: 1, harmProbability: 0 }, 9);
    const harmful: AdviceBounds = { ...untried, record: { outcomes: 9, harmful: 6 } };
    // buildSnapshot's guest has 16 GiB: 1/32 of it is 512 MiB.
    const tried: AdviceBounds = { ...harmful, reclaim: { largestHarmless: 1 / 32, smallestHarmfulRaise: null } };
    expect(advise(young, request(2 * GIB), tried).advice).toEqual({ verdict: 'shrink', targetBytes: 512 * MIB, reason: 'young model: 6 of 9 outcomes harmful: shrunk 2.0 GiB → 512 MiB, the largest reclaim measured harmless' });
    expect(advise(young, request(256 * MIB), tried).advice).toEqual({ verdict: 'allow', reason: 'learning: 9 of 20 outcomes seen, the policy decides' });
    expect(advise(young, request(GIB), harmful).advice).toEqual({ verdict: 'veto', reason: 'young model: 6 of 9 outcomes harmful, none harmless: waiting for one that is' });
    expect(advise(young, request(null), tried).advice).toEqual({ verdict: 'veto', reason: 'young model: 6 of 9 outcomes harmful, none above 512 MiB harmless: waiting for one that is' });
    expect(advise(young, request(GIB), { ...harmful, consecutiveVetoes: 10 }).advice).toEqual({ verdict: 'allow', reason: 'young model: 6 of 9 outcomes harmful: probe after 10 vetoes, measuring again' });
  });

  it('leaves the young model alone while harm is not the majority, with too few outcomes, or with the guard off', () => {
    const young = fixedModel({ keptShare: 1, harmProbability: 0 }, 4);
    const allow = { verdict: 'allow', reason: 'learning: 4 of 20 outcomes seen, the policy decides' };
    expect(advise(young, request(GIB), { ...untried, record: { outcomes: 4, harmful: 2 } }).advice).toEqual(allow);
    expect(advise(young, request(GIB), { ...untried, record: { outcomes: 3, harmful: 3 } }).advice).toEqual(allow);
    expect(advise(fixedModel({ keptShare: 1, harmProbability: 0 }, 4, { youngGuardOutcomes: 0 }), request(GIB), { ...untried, record: { outcomes: 4, harmful: 4 } }).advice).toEqual(allow);
  });

  it('marks an exploratory raise, and tries none while another is still out', () => {
    const model = fixedModel({ keptShare: 0.9, harmProbability: 0.05 }, 25, { minKeptShare: 0.95 });
    const tried: AdviceBounds = { ...untried, reclaim: { largestHarmless: 1 / 16, smallestHarmfulRaise: null } };
    expect(advise(model, request(GIB), tried)).toEqual({
      advice: { verdict: 'raise', targetBytes: 2 * GIB, reason: 'exploring: raised 1.0 GiB → 2.0 GiB, twice the largest reclaim measured harmless (1.0 GiB), as the proposed one looks safe (harm 5%, 90% expected to stay free) (model of 25 outcomes)' },
      exploratory: true,
      refused: null,
    });
    expect(advise(model, request(GIB), { ...tried, explorationPending: true })).toMatchObject({ advice: { verdict: 'veto' }, exploratory: false });
  });

  it('lets a probe through once the vetoes in a row reach the limit', () => {
    const model = fixedModel({ keptShare: 0.1, harmProbability: 0.9 });
    expect(advise(model, request(GIB), { ...untried, consecutiveVetoes: 10 }).advice).toEqual({ verdict: 'allow', reason: 'probe after 10 vetoes: harm 90% expected, measuring again (model of 25 outcomes)' });
  });

  it('lets the decision through and hands back the error when the snapshot cannot be read', () => {
    const result = advise(fixedModel({ keptShare: 1, harmProbability: 0 }), request(GIB, buildSnapshot({ psi: Number.NaN })), untried);
    expect([result.advice, result.exploratory, result.refused?.code]).toEqual([{ verdict: 'allow', reason: 'no advice: feature psiSomeAvg10 is NaN; only finite numbers are accepted' }, false, 'GOV_NEURAL_INVALID_INPUT']);
  });
});

describe('preferNow', () => {
  it('names the best target, and nothing without Linux memory', () => {
    const model = fixedModel({ keptShare: 0.5, harmProbability: 0.2 });
    const { decision: _, ...moment } = request(null);
    expect(preferNow(model, moment)).toEqual({ at: '2026-11-22T10:00:00.000Z', action: 'reclaim', targetBytes: 6 * GIB, predictedKeptBytes: 3 * GIB, harmProbability: 0.2, summary: 'reclaim about 6.0 GiB now (keeps ~3.0 GiB free, harm 20%)' });
    expect(preferNow(model, { ...moment, snapshot: { ...moment.snapshot, linux: null } })).toBeNull();
  });
});
