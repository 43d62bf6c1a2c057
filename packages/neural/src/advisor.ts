import { activityRates, NO_ACTIVITY, recordActivity, type Activity } from './activity.js';
import { advise, preferNow, type AdviceModel, type Moment } from './advise.js';
import { resolveAdvisorSettings, type AdvisorTuning } from './advisor-settings.js';
import { countOutcome, countVerdict, keptShareOf } from './bookkeeping.js';
import { NeuralInputError } from './errors.js';
import { extractFeatures, FEATURE_NAMES, FEATURE_SCHEMA } from './features.js';
import { createLearner, type Learner, type LearnerOptions, type Prediction } from './learner.js';
import { emptyStats, formatModel, loadModel, MODEL_FORMAT, MODEL_VERSION, type AdvisorStats, type LoadedModel, type ModelFile, type ModelStore } from './model-file.js';
import { createModelSaver } from './model-saver.js';
import { createOutcomeTracker, type OutcomeTracker } from './outcome.js';
import { learnStatus, type LearnStatus } from './status.js';
import type { Advice, AdviceRequestLike, AdvisedActionLike, FeedbackKind, SnapshotLike } from './types.js';

export interface NeuralAdvisorOptions extends AdvisorTuning {
  learner: Learner;
  /** Counters and recent outcomes of a loaded model; fresh when absent. */
  stats?: AdvisorStats;
  /** When given, the model is saved (atomically) after every outcome it learns from. */
  store?: ModelStore;
  /** Time of the model file's `createdAt` when it is first saved. */
  createdAt?: Date;
  /** Wall clock for file timestamps. Default `() => new Date()`. */
  now?: () => Date;
  /** Called when a save fails or an input is refused; the advisor keeps going either way. */
  onError?: (error: Error) => void;
}

export interface NeuralAdvisor {
  /** Advice on one dynamic-policy reclaim: let it through, veto it, shrink or raise its target. */
  advise(request: AdviceRequestLike): Advice;
  /** Every tick: measures the outcomes whose horizon has come and learns from them. */
  observe(snapshot: SnapshotLike, now: Date): void;
  /** After each action the Governor took: starts measuring its outcome. */
  recordAction(action: AdvisedActionLike): void;
  /** `gov feedback slow|ok`: labels the actions whose window contains `at`. */
  recordFeedback(kind: FeedbackKind, at: Date): void;
  status(): LearnStatus;
  /** The model as it would be saved now. */
  toModelFile(): ModelFile;
  /** Resolves when every save started so far has finished. */
  flush(): Promise<void>;
  /**
   * Starts over (`gov learn reset` on a running govd): a new network with the same settings and
   * seed, no outcomes, nothing pending; the model file is deleted. Resolves whether a file was.
   */
  reset(): Promise<boolean>;
  /** The learner in use (a new one after `reset()`). */
  readonly learner: Learner;
}

/** The model's file name inside the state directory, shared by govd and `gov learn`. */
export const MODEL_FILE_NAME = 'neural-model.json';

/** What is kept of an action until its outcome is measured. */
interface Tracked {
  features: Float64Array;
  prediction: Prediction;
  /** An exploratory raise: its outcome moves the bounds of what is tried next. */
  exploratory: boolean;
}

/** What the advisor remembers between calls, besides the learner and the outcomes being measured. */
interface Memory {
  stats: AdvisorStats;
  createdAt: string;
  activity: Activity;
  /** The newest snapshot seen: the "before" of the next action. */
  latest: { snapshot: SnapshotLike; atMs: number } | null;
  lastActionAt: Date | null;
  runningContainers: number | null;
  consecutiveVetoes: number;
  /** When the last advice was an exploratory raise: the time of that tick, to recognise its action. */
  exploringAt: number | null;
  /** An exploratory raise is out, not yet measured: no other until then (or until it expires). */
  explorationPendingUntil: number | null;
}

function freshMemory(stats: AdvisorStats, createdAt: string): Memory {
  return { stats, createdAt, activity: NO_ACTIVITY, latest: null, lastActionAt: null, runningContainers: null, consecutiveVetoes: 0, exploringAt: null, explorationPendingUntil: null };
}

/** The memory after seeing `snapshot` at `at`: the newest snapshot and the counters' samples. */
function remember(memory: Memory, snapshot: SnapshotLike, at: Date): Memory {
  const atMs = at.getTime();
  const latest = !memory.latest || atMs >= memory.latest.atMs ? { snapshot, atMs } : memory.latest;
  return { ...memory, latest, activity: recordActivity(memory.activity, snapshot, atMs) };
}

/**
 * The Governor's advisor (structurally `@gov/policies`' `Advisor`). It measures every action
 * at the horizon, learns from the outcome, and — once it has seen `minSamples` outcomes —
 * vetoes reclaims it expects to hurt and shrinks targets it expects to be refaulted. It is
 * only asked about dynamic-policy reclaims; emergency and the safety floors never reach it.
 * The decisions are the pure `advise` and `preferNow`; this keeps what they read between calls.
 */
export function createNeuralAdvisor(options: NeuralAdvisorOptions): NeuralAdvisor {
  const settings = resolveAdvisorSettings(options);
  const clock = options.now ?? (() => new Date());
  const onError = options.onError ?? (() => {});
  const saver = createModelSaver(options.store, onError);
  const newTracker = (): OutcomeTracker<Tracked> => createOutcomeTracker<Tracked>({ horizonMs: settings.horizonMs, pageSize: settings.pageSize, ...(settings.harmRules ? { rules: settings.harmRules } : {}) });
  let learner = options.learner;
  let tracker = newTracker();
  let memory = freshMemory(structuredClone(options.stats ?? emptyStats()), (options.createdAt ?? clock()).toISOString());

  const model = (): AdviceModel => ({ predictor: learner, settings });
  const moment = (snapshot: SnapshotLike, now: Date, lastActionAt: Date | null): Moment => ({ snapshot, now, lastActionAt, runningContainers: memory.runningContainers, ...activityRates(memory.activity, settings.pageSize) });

  function toModelFile(): ModelFile {
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      featureSchema: { id: FEATURE_SCHEMA.id, version: FEATURE_SCHEMA.version, names: [...FEATURE_NAMES] },
      createdAt: memory.createdAt,
      updatedAt: clock().toISOString(),
      learner: learner.toJSON(),
      stats: structuredClone(memory.stats),
    };
  }

  /** What the model would do now; none on a snapshot the features cannot be taken from. */
  function preferenceAt(snapshot: SnapshotLike, now: Date): AdvisorStats['preference'] {
    try {
      return preferNow(model(), moment(snapshot, now, memory.lastActionAt));
    } catch (error) {
      if (!(error instanceof NeuralInputError)) throw error;
      return null;
    }
  }

  function learnFrom(done: ReturnType<OutcomeTracker<Tracked>['observe']>): void {
    for (const { outcome, payload } of done) {
      learner.learn(payload.features, { keptShare: keptShareOf(outcome), harm: outcome.harm });
      memory = { ...memory, stats: countOutcome(memory.stats, outcome, payload.prediction, payload.exploratory), ...(payload.exploratory ? { explorationPendingUntil: null } : {}) };
    }
  }

  return {
    get learner() {
      return learner;
    },
    advise(request) {
      const { now } = request;
      memory = remember({ ...memory, runningContainers: request.runningContainers }, request.snapshot, now);
      const nowMs = now.getTime();
      const pending = memory.explorationPendingUntil !== null && nowMs < memory.explorationPendingUntil;
      const result = advise(model(), { ...moment(request.snapshot, now, request.lastActionAt ?? memory.lastActionAt), decision: request.decision }, { reclaim: memory.stats.bounds, consecutiveVetoes: memory.consecutiveVetoes, explorationPending: pending, record: { outcomes: memory.stats.outcomes, harmful: memory.stats.harmful } });
      if (result.refused) onError(result.refused);
      const { advice } = result;
      memory = {
        ...memory,
        stats: countVerdict(memory.stats, advice, now),
        consecutiveVetoes: advice.verdict === 'veto' ? memory.consecutiveVetoes + 1 : 0,
        exploringAt: result.exploratory ? nowMs : null,
      };
      return advice;
    },
    observe(snapshot, now) {
      memory = remember(memory, snapshot, now);
      const expiredBefore = tracker.expired;
      const done = tracker.observe(snapshot, now);
      learnFrom(done);
      const preference = preferenceAt(snapshot, now);
      memory = { ...memory, stats: { ...memory.stats, expired: memory.stats.expired + tracker.expired - expiredBefore, preference } };
      if (done.length > 0) saver.save(formatModel(toModelFile()));
    },
    recordAction(action) {
      const before = memory.latest?.snapshot;
      const previous = memory.lastActionAt;
      const exploratory = memory.exploringAt !== null && memory.exploringAt === action.at.getTime();
      memory = { ...memory, lastActionAt: action.at, exploringAt: null, ...(exploratory ? { explorationPendingUntil: action.at.getTime() + 2 * settings.horizonMs } : {}) };
      if (!before) return;
      try {
        const features = extractFeatures({ ...moment(before, action.at, previous), targetBytes: action.targetBytes });
        tracker.track(action.at, before, action.freedBytes, { features, prediction: learner.predict(features), exploratory });
      } catch (error) {
        if (!(error instanceof NeuralInputError)) throw error;
        onError(error);
      }
    },
    recordFeedback(kind, at) {
      tracker.feedback(kind, at);
    },
    status: () => learnStatus(memory.stats, learner.samples, settings.minSamples, tracker.pending),
    toModelFile,
    flush: () => saver.flush(),
    reset() {
      const state = learner.toJSON();
      learner = createLearner({
        seed: state.seed,
        hiddenSize: state.network.hiddenSize,
        learningRate: state.learningRate,
        maxGradientNorm: state.maxGradientNorm,
        replaySize: state.replay.size,
        replaySteps: state.replay.steps,
        featureNames: learner.featureNames,
      });
      tracker = newTracker();
      // The counters' samples and the newest snapshot describe the machine, not the model: they stay.
      memory = { ...freshMemory(emptyStats(), clock().toISOString()), activity: memory.activity, latest: memory.latest, runningContainers: memory.runningContainers };
      return saver.remove();
    },
  };
}

export interface OpenedNeuralAdvisor {
  advisor: NeuralAdvisor;
  /** What happened to the file at start: loaded, missing (a new model), or set aside. */
  loaded: LoadedModel;
}

/**
 * Loads the model from `store` (setting aside one it cannot trust), and returns an advisor that
 * continues it and saves back to the same store. What govd calls at start.
 */
export async function openNeuralAdvisor(options: Omit<NeuralAdvisorOptions, 'learner' | 'stats' | 'store' | 'createdAt'> & { store: ModelStore; learner?: LearnerOptions }): Promise<OpenedNeuralAdvisor> {
  const { store, learner: learnerOptions, ...rest } = options;
  const now = (options.now ?? (() => new Date()))();
  const loaded = await loadModel(store, now);
  const model = loaded.model;
  const learner = createLearner({ ...learnerOptions, ...(model ? { state: model.learner } : {}) });
  const advisor = createNeuralAdvisor({ ...rest, learner, store, ...(model ? { stats: model.stats, createdAt: new Date(model.createdAt) } : {}) });
  return { advisor, loaded };
}
