import { NeuralInputError, NeuralOptionsError } from './errors.js';
import { assertFiniteFeatures, FEATURE_MIN_SPREAD, FEATURE_NAMES } from './features.js';
import { createNetwork, type NetworkWeights } from './network.js';
import { createNormaliser, type NormaliserState } from './normaliser.js';

/** What actually happened after one reclaim, at the horizon. */
export interface LearnerOutcome {
  /** Share of the bytes the action freed that were still free at the horizon (0…1). */
  keptShare: number;
  /** Whether harm followed: a slowdown, an OOM kill, a refault storm or a PSI rise. */
  harm: boolean;
}

/** The network's view of "reclaim now with this target". */
export interface Prediction {
  /** Predicted share of the freed bytes still free at the horizon (0…1): kept bytes = share × target. */
  keptShare: number;
  /** Predicted probability of harm within the horizon. */
  harmProbability: number;
}

export interface LearnerOptions {
  /** Seed of the weight initialisation. Default 1. */
  seed?: number;
  /** Hidden units. Default 8; 2…64. */
  hiddenSize?: number;
  /** SGD step size. Default 0.05; must lie in (0, 0.5]. */
  learningRate?: number;
  /** Gradients whose L2 norm exceeds this are scaled down to it. Default 1. */
  maxGradientNorm?: number;
  /** Names of the input features, in order. Default `FEATURE_NAMES`. */
  featureNames?: readonly string[];
  /**
   * The smallest spread each feature is normalised by, in `featureNames` order. Default: the
   * feature's entry in `FEATURE_MIN_SPREAD`, 0 for a name it does not list.
   */
  featureMinSpread?: readonly number[];
  /** Recent outcomes kept to learn from again. Default 64; 0…1024 (0 turns replay off). */
  replaySize?: number;
  /** Steps on kept outcomes after each new one, taken in turn. Default 256; 0…4096. */
  replaySteps?: number;
}

/** One outcome as the learner keeps it for replay: raw features and what happened. */
export interface ReplayExample {
  features: number[];
  keptShare: number;
  harm: boolean;
}

/** The replay memory: the latest `size` outcomes and where the next replay starts. */
export interface ReplayState {
  size: number;
  steps: number;
  cursor: number;
  examples: ReplayExample[];
}

/** Everything needed to rebuild a learner exactly: what the model file carries. */
export interface LearnerState {
  seed: number;
  learningRate: number;
  maxGradientNorm: number;
  samples: number;
  normaliser: NormaliserState;
  network: NetworkWeights;
  replay: ReplayState;
}

export interface LearnStep {
  /** The prediction for these features before this step. */
  before: Prediction;
  /** Joint loss before this step. */
  loss: number;
}

export interface Learner {
  /** Outcomes learned from so far. */
  readonly samples: number;
  readonly featureNames: readonly string[];
  predict(features: ArrayLike<number>): Prediction;
  /**
   * One online SGD step on one measured outcome, then `replaySteps` steps on kept outcomes.
   * Outcomes come a few an hour; learning from each once would leave the model near its
   * initial guess for days, so recent ones are revisited (experience replay).
   */
  learn(features: ArrayLike<number>, outcome: LearnerOutcome): LearnStep;
  toJSON(): LearnerState;
}

/** The benefit head regresses the kept share directly: targets in 0…1, the harm head's scale. */
const BENEFIT_SCALE = 1;
export const MAX_LEARNING_RATE = 0.5;
export const MAX_REPLAY_STEPS = 4096;

function checkOptions(options: { hiddenSize: number; learningRate: number; maxGradientNorm: number; seed: number; replaySize: number; replaySteps: number }): void {
  if (!Number.isInteger(options.replaySize) || options.replaySize < 0 || options.replaySize > 1024) throw new NeuralOptionsError(`replaySize must be a whole number in 0…1024, got ${options.replaySize}`);
  if (!Number.isInteger(options.replaySteps) || options.replaySteps < 0 || options.replaySteps > MAX_REPLAY_STEPS) throw new NeuralOptionsError(`replaySteps must be a whole number in 0…${MAX_REPLAY_STEPS}, got ${options.replaySteps}`);
  if (!Number.isInteger(options.hiddenSize) || options.hiddenSize < 2 || options.hiddenSize > 64) throw new NeuralOptionsError(`hiddenSize must be a whole number in 2…64, got ${options.hiddenSize}`);
  if (!(options.learningRate > 0 && options.learningRate <= MAX_LEARNING_RATE)) throw new NeuralOptionsError(`learningRate must lie in (0, ${MAX_LEARNING_RATE}], got ${options.learningRate}`);
  if (!(options.maxGradientNorm > 0 && Number.isFinite(options.maxGradientNorm))) throw new NeuralOptionsError(`maxGradientNorm must be a positive finite number, got ${options.maxGradientNorm}`);
  if (!Number.isInteger(options.seed)) throw new NeuralOptionsError(`seed must be a whole number, got ${options.seed}`);
}

/**
 * A small online learner: running z-score normalisation of the inputs, a one-hidden-layer
 * network with a benefit head and a harm head, one clipped SGD step per outcome plus a few on
 * recent outcomes kept for replay. Fully
 * deterministic for a given seed and sequence of outcomes. Pass `state` to continue a saved model.
 */
export function createLearner(options: LearnerOptions & { state?: LearnerState } = {}): Learner {
  const featureNames = options.featureNames ?? FEATURE_NAMES;
  const state = options.state;
  const settings = {
    seed: state?.seed ?? options.seed ?? 1,
    hiddenSize: state?.network.hiddenSize ?? options.hiddenSize ?? 8,
    learningRate: state?.learningRate ?? options.learningRate ?? 0.05,
    maxGradientNorm: state?.maxGradientNorm ?? options.maxGradientNorm ?? 1,
    replaySize: state?.replay.size ?? options.replaySize ?? 64,
    replaySteps: state?.replay.steps ?? options.replaySteps ?? 256,
  };
  checkOptions(settings);
  const size = featureNames.length;
  const minSpread = options.featureMinSpread ?? featureNames.map((name) => (FEATURE_MIN_SPREAD as Record<string, number>)[name] ?? 0);
  const normaliser = createNormaliser(size, state?.normaliser, minSpread);
  const network = createNetwork({ inputSize: size, hiddenSize: settings.hiddenSize, seed: settings.seed, ...(state ? { weights: state.network } : {}) });
  let samples = state?.samples ?? 0;
  const examples: ReplayExample[] = (state?.replay.examples ?? []).map((example) => ({ ...example, features: [...example.features] }));
  let cursor = state?.replay.cursor ?? 0;
  for (const example of examples) assertFiniteFeatures(example.features, featureNames);

  const targetOf = (outcome: LearnerOutcome) => ({ benefit: Math.min(1, Math.max(0, outcome.keptShare)) * BENEFIT_SCALE, harm: outcome.harm ? 1 : 0 });

  function replay(): void {
    if (examples.length === 0) return;
    for (let i = 0; i < settings.replaySteps; i += 1) {
      cursor %= examples.length;
      const example = examples[cursor] as ReplayExample;
      cursor += 1;
      network.step(normaliser.transform(example.features), targetOf(example), settings.learningRate, settings.maxGradientNorm);
    }
  }

  const toPrediction = (benefit: number, harmProbability: number): Prediction => ({
    keptShare: Math.min(1, Math.max(0, benefit / BENEFIT_SCALE)),
    harmProbability,
  });

  return {
    get samples() {
      return samples;
    },
    featureNames,
    predict(features) {
      assertFiniteFeatures(features, featureNames);
      const output = network.forward(normaliser.transform(features));
      return toPrediction(output.benefit, output.harmProbability);
    },
    learn(features, outcome) {
      assertFiniteFeatures(features, featureNames);
      if (!Number.isFinite(outcome.keptShare)) throw new NeuralInputError(`keptShare is ${String(outcome.keptShare)}; only finite numbers are accepted`, 'keptShare', outcome.keptShare);
      if (typeof outcome.harm !== 'boolean') throw new NeuralInputError(`harm must be true or false, got ${String(outcome.harm)}`, 'harm', outcome.harm);
      const before = network.forward(normaliser.transform(features));
      normaliser.update(features);
      const step = network.step(normaliser.transform(features), targetOf(outcome), settings.learningRate, settings.maxGradientNorm);
      samples += 1;
      if (settings.replaySize > 0) {
        examples.push({ features: Array.from(features), keptShare: outcome.keptShare, harm: outcome.harm });
        if (examples.length > settings.replaySize) {
          examples.shift();
          cursor = Math.max(0, cursor - 1);
        }
        replay();
      }
      return { before: toPrediction(before.benefit, before.harmProbability), loss: step.loss };
    },
    toJSON() {
      return {
        seed: settings.seed,
        learningRate: settings.learningRate,
        maxGradientNorm: settings.maxGradientNorm,
        samples,
        normaliser: normaliser.toJSON(),
        network: network.toJSON(),
        replay: { size: settings.replaySize, steps: settings.replaySteps, cursor, examples: examples.map((example) => ({ ...example, features: [...example.features] })) },
      };
    },
  };
}
