import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from './features.js';
import { createLearner, type LearnerOutcome } from './learner.js';
import { createPrng } from './prng.js';

/**
 * Generated data shaped like real decisions: harm follows high PSI or a cache-starved machine
 * (a linearly separable rule with a margin), and the bytes kept grow with the reclaimable share.
 */
function generate(count: number, seed: number): { features: number[]; outcome: LearnerOutcome }[] {
  const random = createPrng(seed);
  const rows: { features: number[]; outcome: LearnerOutcome }[] = [];
  while (rows.length < count) {
    const hour = random() * 24;
    const psi = random() * 40;
    const usedPct = 20 + random() * 70;
    const reclaimablePct = random() * 40;
    const score = psi / 40 + usedPct / 90;
    // Leave a margin around the boundary so the classes are separable.
    if (Math.abs(score - 1) < 0.08) continue;
    const features = [
      Math.sin((2 * Math.PI * hour) / 24),
      Math.cos((2 * Math.PI * hour) / 24),
      100 - usedPct,
      usedPct,
      reclaimablePct,
      psi,
      random() * 100,
      random() * 3,
      Math.floor(random() * 8),
      Math.log1p(random() * 600),
      reclaimablePct * random(),
    ];
    rows.push({ features, outcome: { harm: score > 1, keptShare: (reclaimablePct / 100) * 0.6 } });
  }
  return rows;
}

describe('createLearner', () => {
  it('learns a separable harm rule and the kept-bytes trend from generated outcomes', () => {
    const learner = createLearner({ seed: 7 });
    const train = generate(4000, 1);
    for (const row of train) learner.learn(row.features, row.outcome);
    const test = generate(500, 2);
    let correct = 0;
    let keptError = 0;
    for (const row of test) {
      const prediction = learner.predict(row.features);
      if (prediction.harmProbability >= 0.5 === row.outcome.harm) correct += 1;
      keptError += Math.abs(prediction.keptShare - row.outcome.keptShare);
    }
    expect(learner.samples).toBe(4000);
    expect(correct / test.length).toBeGreaterThanOrEqual(0.95);
    expect(keptError / test.length).toBeLessThan(0.02);
  });

  it('does no better than chance before training, so the convergence above is learned', () => {
    const learner = createLearner({ seed: 7 });
    const test = generate(500, 2);
    const correct = test.filter((row) => learner.predict(row.features).harmProbability >= 0.5 === row.outcome.harm).length;
    expect(correct / test.length).toBeLessThan(0.8);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const rows = generate(200, 3);
    const run = (seed: number) => {
      const learner = createLearner({ seed });
      for (const row of rows) learner.learn(row.features, row.outcome);
      return learner.toJSON();
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11).network.w1).not.toEqual(run(12).network.w1);
  });

  it('continues exactly from a saved state', () => {
    const rows = generate(300, 4);
    const straight = createLearner({ seed: 5 });
    for (const row of rows) straight.learn(row.features, row.outcome);

    const first = createLearner({ seed: 5 });
    for (const row of rows.slice(0, 150)) first.learn(row.features, row.outcome);
    const resumed = createLearner({ state: JSON.parse(JSON.stringify(first.toJSON())) });
    for (const row of rows.slice(150)) resumed.learn(row.features, row.outcome);

    expect(resumed.toJSON()).toEqual(straight.toJSON());
    expect(resumed.predict(rows[0]!.features)).toEqual(straight.predict(rows[0]!.features));
  });

  it('returns the prediction it had before each step', () => {
    const learner = createLearner({ seed: 3 });
    const [row] = generate(1, 9);
    const before = learner.predict(row!.features);
    expect(learner.learn(row!.features, row!.outcome).before).toEqual(before);
    expect(learner.predict(row!.features)).not.toEqual(before);
  });

  it('refuses NaN, infinities and vectors of the wrong length, and learns nothing from them', () => {
    const learner = createLearner();
    const good = generate(1, 5)[0]!.features;
    const snapshot = learner.toJSON();
    expect(() => learner.predict(good.slice(1))).toThrow(expect.objectContaining({ name: 'NeuralInputError', code: 'GOV_NEURAL_INVALID_INPUT', message: 'expected 11 features, got 10' }));
    const withNaN = [...good];
    withNaN[5] = Number.NaN;
    expect(() => learner.learn(withNaN, { keptShare: 0.1, harm: false })).toThrow(expect.objectContaining({ code: 'GOV_NEURAL_INVALID_INPUT', field: 'psiSomeAvg10', message: 'feature psiSomeAvg10 is NaN; only finite numbers are accepted' }));
    const withInfinity = [...good];
    withInfinity[0] = Number.POSITIVE_INFINITY;
    expect(() => learner.learn(withInfinity, { keptShare: 0.1, harm: false })).toThrow('feature hourSin is Infinity; only finite numbers are accepted');
    expect(() => learner.learn(good, { keptShare: Number.NaN, harm: false })).toThrow(expect.objectContaining({ field: 'keptShare' }));
    expect(learner.toJSON()).toEqual(snapshot);
    expect(learner.samples).toBe(0);
  });

  it('refuses any non-finite value anywhere in the vector (property)', () => {
    const learner = createLearner();
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 11, maxLength: 11 }), fc.nat({ max: 10 }), fc.constantFrom(Number.NaN, Infinity, -Infinity), (values, index, bad) => {
        values[index] = bad;
        expect(() => learner.predict(values)).toThrow(`feature ${FEATURE_NAMES[index]} is ${String(bad)}`);
      }),
    );
  });

  it('keeps predictions finite and in range for any finite input (property)', () => {
    const learner = createLearner({ seed: 2 });
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), { minLength: 11, maxLength: 11 }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (values, harm, keptShare) => {
        learner.learn(values, { harm, keptShare });
        const prediction = learner.predict(values);
        expect(prediction.harmProbability).toBeGreaterThanOrEqual(0);
        expect(prediction.harmProbability).toBeLessThanOrEqual(1);
        expect(prediction.keptShare).toBeGreaterThanOrEqual(0);
        expect(prediction.keptShare).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses a learning rate outside its bounds and other bad options', () => {
    expect(() => createLearner({ learningRate: 2 })).toThrow(expect.objectContaining({ name: 'NeuralOptionsError', code: 'GOV_NEURAL_INVALID_OPTIONS', message: 'learningRate must lie in (0, 0.5], got 2' }));
    expect(() => createLearner({ learningRate: 0 })).toThrow('learningRate must lie in (0, 0.5], got 0');
    expect(() => createLearner({ hiddenSize: 1 })).toThrow('hiddenSize must be a whole number in 2…64, got 1');
    expect(() => createLearner({ maxGradientNorm: Infinity })).toThrow('maxGradientNorm must be a positive finite number, got Infinity');
    expect(() => createLearner({ seed: 1.5 })).toThrow('seed must be a whole number, got 1.5');
    expect(() => createLearner({ replaySize: 2000 })).toThrow('replaySize must be a whole number in 0…1024, got 2000');
    expect(() => createLearner({ replaySteps: -1 })).toThrow('replaySteps must be a whole number in 0…4096, got -1');
  });

  it('learns a rule from a few dozen outcomes by replaying recent ones, where single steps barely move', () => {
    // Harm follows a busy CPU (feature 6), whatever the rest: what a day of real outcomes looks like.
    const random = createPrng(21);
    const row = () => {
      const busy = random() < 0.5;
      const features = FEATURE_NAMES.map(() => random() * 10);
      features[6] = busy ? 2 + random() * 3 : random() * 0.2;
      return { features, outcome: { harm: busy, keptShare: busy ? 0 : 0.08 } };
    };
    const train = Array.from({ length: 24 }, row);
    const test = Array.from({ length: 200 }, row);
    const accuracy = (options: { replaySteps?: number; replaySize?: number }) => {
      const learner = createLearner({ seed: 4, ...options });
      for (const { features, outcome } of train) learner.learn(features, outcome);
      return test.filter(({ features, outcome }) => learner.predict(features).harmProbability >= 0.5 === outcome.harm).length / test.length;
    };
    expect(accuracy({})).toBeGreaterThanOrEqual(0.9);
    expect(accuracy({ replaySize: 0 })).toBeLessThan(0.8);
  });

  it('tells an idle machine from a busy one after the eight outcomes of two real runs', () => {
    // Measured by tools/bench/governor-eval (dynamic policy, 6 GiB guest): reclaims while a reader
    // came back every 5 s were refaulted; the ones after it went quiet stayed free. Only the CPU
    // (feature 6, log(1 + busy %)) tells them apart: refault rate and time since the last action
    // point both ways.
    const measured: [number[], number, boolean][] = [
      [[-0.61, 0.79, 100, 0, 16.68, 0, 0.93, 0.16, 0, 7.27, 8.35], 0.03, true],
      [[-0.61, 0.79, 100, 0, 16.68, 0, 0.71, 2.77, 0, 0.41, 8.35], 0.05, true],
      [[-0.61, 0.8, 100, 0, 16.29, 0, 0, 2.26, 0, 0.69, 7.96], 1, false],
      [[-0.6, 0.8, 100, 0, 19.98, 0, 1.94, 0.01, 0, 0.98, 11.64], 0.28, true],
      [[-0.6, 0.8, 100, 0, 16.68, 0, 0.68, 3.3, 0, 0.59, 8.35], 0.02, true],
      [[-0.59, 0.8, 100, 0, 16.68, 0, 0.77, 3.23, 0, 0.41, 8.35], 0.05, true],
      [[-0.59, 0.81, 100, 0, 16.27, 0, 0, 2.26, 0, 0.69, 7.94], 1, false],
      [[-0.58, 0.81, 100, 0, 16.68, 0, 0.85, 0.15, 0, 7.27, 8.35], 0.02, true],
    ];
    // Moments it has not seen: quiet with no refaults and no action before, an hour later; a reader between passes.
    const quiet = [-0.57, 0.82, 100, 0, 16.68, 0, 0, 0, 0, 7.27, 8.35];
    const later = [-0.3, 0.95, 100, 0, 16.68, 0, 0, 0, 0, 7.27, 8.35];
    const busy = [-0.57, 0.82, 100, 0, 16.68, 0, 0.9, 0, 0, 7.27, 8.35];
    for (const seed of [1, 2, 3, 4, 5]) {
      const learner = createLearner({ seed });
      for (const [features, keptShare, harm] of measured) learner.learn(features, { keptShare, harm });
      const harm = (features: number[]) => learner.predict(features).harmProbability;
      expect(measured.every(([features, , harmful]) => harm(features) >= 0.5 === harmful)).toBe(true);
      expect([harm(quiet), harm(later), harm(busy)].map((p) => p < 0.1)).toEqual([true, true, false]);
      expect(learner.predict(quiet).keptShare).toBeGreaterThan(0.5);
    }
  });

  it('keeps at most replaySize outcomes, and they travel with the saved state', () => {
    const learner = createLearner({ seed: 1, replaySize: 5, replaySteps: 3 });
    for (const { features, outcome } of generate(12, 6)) learner.learn(features, outcome);
    const state = learner.toJSON();
    expect([state.replay.size, state.replay.steps, state.replay.examples.length]).toEqual([5, 3, 5]);
    expect(state.replay.examples.at(-1)?.features).toEqual(generate(12, 6).at(-1)?.features);
  });
});
