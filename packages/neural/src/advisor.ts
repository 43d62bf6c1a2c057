import { NeuralInputError, NeuralOptionsError } from './errors.js';
import { extractFeatures, FEATURE_NAMES, FEATURE_SCHEMA } from './features.js';
import { createLearner, type Learner, type LearnerOptions, type Prediction } from './learner.js';
import { emptyStats, formatModel, loadModel, MODEL_FORMAT, MODEL_VERSION, type AdvisorStats, type LoadedModel, type ModelFile, type ModelStore, type Preference, type ReclaimBounds, type RecentOutcome } from './model-file.js';
import { createOutcomeTracker, refaultPages, type HarmRules, type MeasuredOutcome } from './outcome.js';
import type { Advice, AdviceRequestLike, AdvisedActionLike, FeedbackKind, SnapshotLike } from './types.js';

export interface NeuralAdvisorOptions {
  learner: Learner;
  /** Counters and recent outcomes of a loaded model; fresh when absent. */
  stats?: AdvisorStats;
  /** When given, the model is saved (atomically) after every outcome it learns from. */
  store?: ModelStore;
  /** Outcomes to learn from before advising; until then every decision is let through. Default 20. */
  minSamples?: number;
  /** How long after an action its outcome is measured. Default 5 minutes. */
  horizonMs?: number;
  /** Bytes per page for the refault counters. Default 4096. */
  pageSize?: number;
  harmRules?: Partial<HarmRules>;
  /** Predicted harm at or above which a reclaim is vetoed. Default 0.5. */
  vetoHarmProbability?: number;
  /** Predicted harm at or above which the target is shrunk in proportion. Default 0.25. */
  shrinkHarmProbability?: number;
  /**
   * Predicted harm below which a proposed reclaim counts as clearly safe, so that a larger one
   * than the model has ever measured may be tried (an exploratory raise, see `mayRaise`). Default 0.1.
   */
  exploreHarmProbability?: number;
  /** After this many vetoes in a row one reclaim goes through, so the model keeps learning. Default 10. */
  maxConsecutiveVetoes?: number;
  /** Targets below this are not worth an action. Default 16 MiB. */
  minTargetBytes?: number;
  /** A reclaim of which less than this share is expected to stay free is not worth it: most of it comes back. Default 0.25. */
  minKeptShare?: number;
  /**
   * Whether the advisor may raise a target: when the model expects a larger reclaim to keep
   * more free with harm below `shrinkHarmProbability`, it proposes up to all of the
   * reclaimable memory; and when the proposed reclaim is clearly safe it tries a larger one than
   * it has measured — up to twice the largest measured harmless — one at a time (the Governor
   * still applies the safety floor). Default true.
   */
  mayRaise?: boolean;
  /** Time of the model file's `createdAt` when it is first saved. */
  createdAt?: Date;
  /** Wall clock for file timestamps. Default `() => new Date()`. */
  now?: () => Date;
  /** Called when a save fails or an input is refused; the advisor keeps going either way. */
  onError?: (error: Error) => void;
}

export interface RecentError {
  outcomes: number;
  /** Mean absolute error of the predicted kept bytes. */
  keptBytesMae: number;
  /** Mean squared error of the harm probability (Brier score; 0 is perfect, 0.25 is a coin). */
  harmBrier: number;
  /** Share of outcomes where `harm ≥ 0.5` matched what happened. */
  harmAccuracy: number;
}

/** What `gov learn status` shows. */
export interface LearnStatus {
  phase: 'observing' | 'advising';
  samples: number;
  minSamples: number;
  pendingOutcomes: number;
  outcomes: number;
  harmful: number;
  expired: number;
  verdicts: { allow: number; veto: number; shrink: number; raise: number };
  recentError: RecentError | null;
  lastAdvice: AdvisorStats['lastAdvice'];
  preference: Preference | null;
  /** How large a reclaim has proved harmless, or harmful when tried (shares of RAM). */
  bounds: ReclaimBounds;
}

/** What a saved model says about itself, read without running an advisor (`gov learn status`). */
export type ModelSummary = Omit<LearnStatus, 'pendingOutcomes'> & { createdAt: string; updatedAt: string };

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

/** One target the advisor weighs, with what the model expects of it. */
interface Option {
  target: number;
  prediction: Prediction;
  /** Bytes expected to stay free: kept share × target. */
  keptBytes: number;
  /** `keptBytes` × the chance of no harm. */
  value: number;
}

interface Tracked {
  features: Float64Array;
  prediction: Prediction;
  /** An exploratory raise: its outcome moves the bounds of what is tried next. */
  exploratory: boolean;
}

/** Outcomes the advisor learns from before it gives advice (`min_samples`). */
export const DEFAULT_MIN_SAMPLES = 20;

/** The model's file name inside the state directory, shared by govd and `gov learn`. */
export const MODEL_FILE_NAME = 'neural-model.json';

const MIB = 1024 * 1024;
const RECENT = 50;
const REFAULT_WINDOW_MS = 60_000;
/** CPU activity is judged over at least this long (or the last tick, when ticks are longer). */
const CPU_WINDOW_MS = 15_000;
/** Shares of the reclaimable memory the advisor weighs as targets. */
const SHARES = [0.125, 0.25, 0.5, 1];
/** An exploratory raise needs the proposed reclaim to be expected to keep at least this share free. */
const EXPLORE_KEPT_SHARE = 0.5;

/**
 * A cumulative counter sampled over time: keeps just enough samples to measure its change over
 * the last `windowMs`: from the newest sample at least that old (else the oldest) — unless that
 * one is more than two windows old and a younger one exists (the governor was stopped in
 * between), then from the oldest younger one, so a stale sample does not dilute the present.
 */
function createCounterWindow<T>(windowMs: number) {
  const samples: { atMs: number; value: T }[] = [];
  return {
    add(atMs: number, value: T): void {
      const last = samples.at(-1);
      if (last && atMs <= last.atMs) return;
      samples.push({ atMs, value });
      while (samples.length > 2 && (samples[1] as { atMs: number }).atMs <= atMs - windowMs) samples.shift();
    },
    /** The oldest and newest samples spanning the window, or null with fewer than two. */
    span(): { from: { atMs: number; value: T }; to: { atMs: number; value: T } } | null {
      const to = samples.at(-1);
      let from = samples[0];
      if (to && from && to.atMs - from.atMs > 2 * windowMs && samples.length > 2) from = samples[1];
      return to && from && to.atMs > from.atMs ? { from, to } : null;
    },
  };
}

function mib(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / 1024 / MIB).toFixed(1)} GiB` : `${Math.round(bytes / MIB)} MiB`;
}

const percent = (p: number) => `${Math.round(p * 100)}%`;

/** Summarises recent outcomes against what was predicted for them. */
export function summariseRecent(recent: readonly RecentOutcome[]): RecentError | null {
  if (recent.length === 0) return null;
  let absolute = 0;
  let brier = 0;
  let correct = 0;
  for (const entry of recent) {
    absolute += Math.abs(entry.predictedKeptBytes - entry.keptBytes);
    const label = entry.harm ? 1 : 0;
    brier += (entry.predictedHarm - label) ** 2;
    if (entry.predictedHarm >= 0.5 === entry.harm) correct += 1;
  }
  return { outcomes: recent.length, keptBytesMae: absolute / recent.length, harmBrier: brier / recent.length, harmAccuracy: correct / recent.length };
}

/**
 * The largest reclaim (share of RAM) the advisor would try next in an exploratory raise: twice
 * the largest measured harmless, or halfway from it to the smallest raise harm followed; 0
 * before any reclaim proved harmless.
 */
export function explorationLimit(bounds: ReclaimBounds): number {
  const { largestHarmless, smallestHarmfulRaise } = bounds;
  const doubled = Math.min(1, 2 * largestHarmless);
  return smallestHarmfulRaise === null ? doubled : Math.min(doubled, (largestHarmless + smallestHarmfulRaise) / 2);
}

/**
 * Why the exploration limit is where it is, with each share of RAM shown by `show` (the advisor's
 * reasons in bytes, `gov learn status` in % of RAM); null before any reclaim proved harmless.
 */
export function describeExplorationLimit(bounds: ReclaimBounds, show: (share: number) => string): string | null {
  const { largestHarmless, smallestHarmfulRaise } = bounds;
  if (largestHarmless === 0) return null;
  if (smallestHarmfulRaise === null) return `twice the largest reclaim measured harmless (${show(largestHarmless)})`;
  return `halfway from the largest reclaim measured harmless (${show(largestHarmless)}) to the smallest raise harm followed (${show(smallestHarmfulRaise)})`;
}

/** Summarises a saved model file the way the running advisor's `status()` would. */
export function summariseModel(model: ModelFile, minSamples: number = DEFAULT_MIN_SAMPLES): ModelSummary {
  const { stats } = model;
  return {
    phase: model.learner.samples < minSamples ? 'observing' : 'advising',
    samples: model.learner.samples,
    minSamples,
    outcomes: stats.outcomes,
    harmful: stats.harmful,
    expired: stats.expired,
    verdicts: { ...stats.verdicts },
    recentError: summariseRecent(stats.recent),
    lastAdvice: stats.lastAdvice,
    preference: stats.preference,
    bounds: { ...stats.bounds },
    createdAt: model.createdAt,
    updatedAt: model.updatedAt,
  };
}

/**
 * The Governor's advisor (structurally `@gov/policies`' `Advisor`). It measures every action
 * at the horizon, learns from the outcome, and — once it has seen `minSamples` outcomes —
 * vetoes reclaims it expects to hurt and shrinks targets it expects to be refaulted. It is
 * only asked about dynamic-policy reclaims; emergency and the safety floors never reach it.
 */
export function createNeuralAdvisor(options: NeuralAdvisorOptions): NeuralAdvisor {
  let learner = options.learner;
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  const horizonMs = options.horizonMs ?? 300_000;
  const pageSize = options.pageSize ?? 4096;
  const vetoAt = options.vetoHarmProbability ?? 0.5;
  const shrinkAt = options.shrinkHarmProbability ?? 0.25;
  const exploreAt = options.exploreHarmProbability ?? 0.1;
  const maxVetoes = options.maxConsecutiveVetoes ?? 10;
  const minTargetBytes = options.minTargetBytes ?? 16 * MIB;
  const mayRaise = options.mayRaise ?? true;
  const minKeptShare = options.minKeptShare ?? 0.25;
  const clock = options.now ?? (() => new Date());
  const onError = options.onError ?? (() => {});
  if (!Number.isInteger(minSamples) || minSamples < 0) throw new NeuralOptionsError(`minSamples must be a whole number ≥ 0, got ${minSamples}`);
  if (!(horizonMs > 0)) throw new NeuralOptionsError(`horizonMs must be positive, got ${horizonMs}`);
  if (!(shrinkAt > 0 && shrinkAt <= vetoAt && vetoAt <= 1)) throw new NeuralOptionsError(`need 0 < shrinkHarmProbability ≤ vetoHarmProbability ≤ 1, got ${shrinkAt} and ${vetoAt}`);
  if (!(exploreAt >= 0 && exploreAt <= shrinkAt)) throw new NeuralOptionsError(`need 0 ≤ exploreHarmProbability ≤ shrinkHarmProbability, got ${exploreAt} and ${shrinkAt}`);
  if (!(minKeptShare >= 0 && minKeptShare <= 1)) throw new NeuralOptionsError(`minKeptShare must lie in 0…1, got ${minKeptShare}`);
  if (!Number.isInteger(maxVetoes) || maxVetoes < 1) throw new NeuralOptionsError(`maxConsecutiveVetoes must be a whole number ≥ 1, got ${maxVetoes}`);

  let stats: AdvisorStats = structuredClone(options.stats ?? emptyStats());
  let createdAt = (options.createdAt ?? clock()).toISOString();
  const newTracker = () => createOutcomeTracker<Tracked>({ horizonMs, pageSize, ...(options.harmRules ? { rules: options.harmRules } : {}) });
  let tracker = newTracker();
  const refaults = createCounterWindow<number>(REFAULT_WINDOW_MS);
  const cpuTimes = createCounterWindow<{ busy: number; total: number }>(CPU_WINDOW_MS);
  let latest: { snapshot: SnapshotLike; atMs: number } | null = null;
  let lastActionAt: Date | null = null;
  let runningContainers: number | null = null;
  let consecutiveVetoes = 0;
  /** When the last advice was an exploratory raise: the time of that tick, to recognise its action. */
  let exploringAt: number | null = null;
  /** An exploratory raise is out, not yet measured: no other until then (or until it expires). */
  let explorationPendingUntil: number | null = null;
  let saving: Promise<void> = Promise.resolve();

  function remember(snapshot: SnapshotLike, at: Date): void {
    const atMs = at.getTime();
    if (!latest || atMs >= latest.atMs) latest = { snapshot, atMs };
    const pages = refaultPages(snapshot);
    if (pages !== null) refaults.add(atMs, pages);
    const cpu = snapshot.cpu;
    if (cpu && Number.isFinite(cpu.busy) && Number.isFinite(cpu.total)) cpuTimes.add(atMs, { busy: cpu.busy, total: cpu.total });
  }

  function refaultBytesPerSec(): number {
    const span = refaults.span();
    if (!span) return 0;
    return (Math.max(0, span.to.value - span.from.value) * pageSize * 1000) / (span.to.atMs - span.from.atMs);
  }

  function cpuBusyPercent(): number | null {
    const span = cpuTimes.span();
    const total = span ? span.to.value.total - span.from.value.total : 0;
    if (!span || !(total > 0)) return null;
    return (Math.max(0, span.to.value.busy - span.from.value.busy) / total) * 100;
  }

  function features(snapshot: SnapshotLike, now: Date, targetBytes: number | null, lastAt: Date | null): Float64Array {
    return extractFeatures({ snapshot, now, targetBytes, lastActionAt: lastAt, runningContainers, refaultBytesPerSec: refaultBytesPerSec(), cpuBusyPercent: cpuBusyPercent() });
  }

  function toModelFile(): ModelFile {
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      featureSchema: { id: FEATURE_SCHEMA.id, version: FEATURE_SCHEMA.version, names: [...FEATURE_NAMES] },
      createdAt,
      updatedAt: clock().toISOString(),
      learner: learner.toJSON(),
      stats: structuredClone(stats),
    };
  }

  function save(): void {
    const store = options.store;
    if (!store) return;
    const text = formatModel(toModelFile());
    saving = saving.then(() => store.write(text)).catch((error: unknown) => onError(error as Error));
  }

  function widenBounds(outcome: MeasuredOutcome, exploratory: boolean): void {
    const share = outcome.memTotal > 0 ? Math.min(1, Math.max(0, outcome.freedBytes / outcome.memTotal)) : 0;
    const bounds = stats.bounds;
    if (!outcome.harm) {
      bounds.largestHarmless = Math.max(bounds.largestHarmless, share);
      if (bounds.smallestHarmfulRaise !== null && bounds.largestHarmless >= bounds.smallestHarmfulRaise) bounds.smallestHarmfulRaise = null;
    } else if (exploratory && share > bounds.largestHarmless) {
      bounds.smallestHarmfulRaise = Math.min(bounds.smallestHarmfulRaise ?? 1, share);
    }
  }

  function learnFrom(outcome: MeasuredOutcome, tracked: Tracked): void {
    learner.learn(tracked.features, { keptShare: outcome.freedBytes > 0 ? outcome.keptBytes / outcome.freedBytes : 0, harm: outcome.harm });
    widenBounds(outcome, tracked.exploratory);
    if (tracked.exploratory) explorationPendingUntil = null;
    stats.outcomes += 1;
    if (outcome.harm) stats.harmful += 1;
    stats.recent.push({
      actionAt: outcome.actionAt,
      predictedKeptBytes: Math.round(tracked.prediction.keptShare * outcome.freedBytes),
      keptBytes: outcome.keptBytes,
      predictedHarm: tracked.prediction.harmProbability,
      harm: outcome.harm,
      harmReasons: outcome.harmReasons,
    });
    if (stats.recent.length > RECENT) stats.recent.splice(0, stats.recent.length - RECENT);
  }

  function optionFor(target: number, prediction: Prediction): Option {
    const keptBytes = Math.round(Math.min(1, Math.max(0, prediction.keptShare)) * target);
    return { target, prediction, keptBytes, value: keptBytes * (1 - prediction.harmProbability) };
  }

  /**
   * Weighs targets: `first` (with its prediction, when given) and shares of the reclaimable
   * memory that `accept` lets in. The value of a target is the bytes expected to stay free
   * (kept share × target) times the chance of no harm; the best wins, `first` on a tie.
   */
  function bestTarget(snapshot: SnapshotLike, now: Date, lastAt: Date | null, accept: (option: Option) => boolean, first?: Option): Option | null {
    const linux = snapshot.linux;
    let best: Option | null = first ?? null;
    if (!linux) return best;
    for (const share of SHARES) {
      const target = Math.floor(linux.reclaimable * share);
      if (target < minTargetBytes || target === first?.target) continue;
      const option = optionFor(target, learner.predict(features(snapshot, now, target, lastAt)));
      if (accept(option) && (!best || option.value > best.value)) best = option;
    }
    return best;
  }

  /**
   * The model cannot know whether a reclaim larger than any it has measured is safe: when the
   * proposed one is clearly safe (harm under `exploreAt`, most of it expected to stay free), it
   * tries a larger one — twice the largest share of RAM measured harmless, or halfway to the
   * smallest raise that harm followed — taking the proposed reclaim's prediction for it. One at
   * a time: the next waits until this one is measured.
   */
  function exploration(snapshot: SnapshotLike, current: Option, nowMs: number): Option | null {
    const linux = snapshot.linux;
    if (!mayRaise || !linux || (explorationPendingUntil !== null && nowMs < explorationPendingUntil)) return null;
    const { harmProbability, keptShare } = current.prediction;
    if (!(harmProbability < exploreAt && keptShare >= EXPLORE_KEPT_SHARE)) return null;
    const target = Math.floor(Math.min(linux.reclaimable, explorationLimit(stats.bounds) * linux.total) / MIB) * MIB;
    return target >= current.target * 1.1 ? optionFor(target, current.prediction) : null;
  }

  function prefer(snapshot: SnapshotLike, now: Date): Preference | null {
    const best = bestTarget(snapshot, now, lastActionAt, () => true);
    if (!best) return null;
    const kept = best.keptBytes;
    const harm = best.prediction.harmProbability;
    const risky = harm >= vetoAt;
    const pointless = kept < minTargetBytes || best.prediction.keptShare < minKeptShare;
    const wait = risky || pointless;
    return {
      at: now.toISOString(),
      action: wait ? 'wait' : 'reclaim',
      targetBytes: wait ? null : best.target,
      predictedKeptBytes: kept,
      harmProbability: harm,
      summary: risky ? `wait: reclaiming now risks harm (${percent(harm)})` : pointless ? `wait: reclaiming now would keep only ~${mib(kept)} free` : `reclaim about ${mib(best.target)} now (keeps ~${mib(kept)} free, harm ${percent(harm)})`,
    };
  }

  function verdict(advice: Advice, now: Date): Advice {
    stats.verdicts[advice.verdict] += 1;
    stats.lastAdvice = { at: now.toISOString(), verdict: advice.verdict, reason: advice.reason, targetBytes: advice.verdict === 'shrink' || advice.verdict === 'raise' ? advice.targetBytes : null };
    consecutiveVetoes = advice.verdict === 'veto' ? consecutiveVetoes + 1 : 0;
    exploringAt = null;
    return advice;
  }

  function advise(request: AdviceRequestLike): Advice {
    const { decision, snapshot, now } = request;
    runningContainers = request.runningContainers;
    remember(snapshot, now);
    if (learner.samples < minSamples) {
      return verdict({ verdict: 'allow', reason: `learning: ${learner.samples} of ${minSamples} outcomes seen, the policy decides` }, now);
    }
    let prediction: Prediction;
    try {
      prediction = learner.predict(features(snapshot, now, decision.targetBytes, request.lastActionAt ?? lastActionAt));
    } catch (error) {
      if (!(error instanceof NeuralInputError)) throw error;
      onError(error);
      return verdict({ verdict: 'allow', reason: `no advice: ${error.message}` }, now);
    }
    const proposed = decision.targetBytes;
    const current = optionFor(proposed ?? (snapshot.linux as { reclaimable: number }).reclaimable, prediction);
    const keptBytes = current.keptBytes;
    const harm = prediction.harmProbability;
    const model = `model of ${learner.samples} outcomes`;
    if (harm >= vetoAt) {
      if (consecutiveVetoes >= maxVetoes) {
        return verdict({ verdict: 'allow', reason: `probe after ${consecutiveVetoes} vetoes: harm ${percent(harm)} expected, measuring again (${model})` }, now);
      }
      return verdict({ verdict: 'veto', reason: `harm expected: ${percent(harm)} chance of a slowdown or OOM within ${Math.round(horizonMs / 60_000)} min (${model})` }, now);
    }
    // Smaller targets must stay below the veto line, larger ones (a raise) be clearly safe. A
    // whole-method reclaim (no target) is let through or not: the advisor never invents one.
    const acceptable = (option: Option) => option.prediction.keptShare >= minKeptShare && (option.target < current.target ? option.prediction.harmProbability < vetoAt : mayRaise && option.prediction.harmProbability < shrinkAt);
    const best = proposed === null ? current : (bestTarget(snapshot, now, request.lastActionAt ?? lastActionAt, acceptable, current) ?? current);
    const explore = proposed === null ? null : exploration(snapshot, current, now.getTime());
    if (proposed !== null && explore && explore.target > best.target) {
      const total = (snapshot.linux as { total: number }).total;
      const why = describeExplorationLimit(stats.bounds, (share) => mib(share * total));
      const advice = verdict({ verdict: 'raise', targetBytes: explore.target, reason: `exploring: raised ${mib(proposed)} → ${mib(explore.target)}, ${why}, as the proposed one looks safe (harm ${percent(harm)}, ${percent(prediction.keptShare)} expected to stay free) (${model})` }, now);
      exploringAt = now.getTime();
      return advice;
    }
    if (best.keptBytes < minTargetBytes || best.prediction.keptShare < minKeptShare) {
      const kept = `only ~${mib(best.keptBytes)} (${percent(best.prediction.keptShare)}) would stay free`;
      return verdict({ verdict: 'veto', reason: `not worth it: ${kept}, under ${best.keptBytes < minTargetBytes ? mib(minTargetBytes) : `${percent(minKeptShare)} of it`} (${model})` }, now);
    }
    if (proposed !== null && best.target >= proposed * 1.1) {
      const target = Math.floor(best.target / MIB) * MIB;
      return verdict({ verdict: 'raise', targetBytes: target, reason: `raised ${mib(proposed)} → ${mib(target)}: expected to keep ~${mib(best.keptBytes)} free (vs ~${mib(keptBytes)}), harm ${percent(best.prediction.harmProbability)} (${model})` }, now);
    }
    if (proposed !== null && best.target < proposed * 0.9) {
      const target = Math.floor(best.target / MIB) * MIB;
      return verdict({ verdict: 'shrink', targetBytes: target, reason: `shrunk ${mib(proposed)} → ${mib(target)}: expected to keep ~${mib(best.keptBytes)} free at ${percent(best.prediction.harmProbability)} harm (vs ~${mib(keptBytes)} at ${percent(harm)}) (${model})` }, now);
    }
    if (proposed !== null && harm >= shrinkAt) {
      const target = Math.floor((proposed * (1 - harm)) / MIB) * MIB;
      if (target < minTargetBytes) return verdict({ verdict: 'veto', reason: `not worth it: harm risk ${percent(harm)} leaves under ${mib(minTargetBytes)} (${model})` }, now);
      return verdict({ verdict: 'shrink', targetBytes: target, reason: `shrunk ${mib(proposed)} → ${mib(target)}: harm risk ${percent(harm)} (${model})` }, now);
    }
    return verdict({ verdict: 'allow', reason: `expected to keep ~${mib(keptBytes)} free, harm ${percent(harm)} (${model})` }, now);
  }

  return {
    get learner() {
      return learner;
    },
    advise,
    observe(snapshot, now) {
      remember(snapshot, now);
      const expiredBefore = tracker.expired;
      const done = tracker.observe(snapshot, now);
      for (const { outcome, payload } of done) learnFrom(outcome, payload);
      stats.expired += tracker.expired - expiredBefore;
      try {
        stats.preference = prefer(snapshot, now);
      } catch (error) {
        if (!(error instanceof NeuralInputError)) throw error;
        stats.preference = null;
      }
      if (done.length > 0) save();
    },
    recordAction(action) {
      const before = latest?.snapshot;
      const previous = lastActionAt;
      lastActionAt = action.at;
      const exploratory = exploringAt !== null && exploringAt === action.at.getTime();
      exploringAt = null;
      if (exploratory) explorationPendingUntil = action.at.getTime() + 2 * horizonMs;
      if (!before) return;
      try {
        const vector = features(before, action.at, action.targetBytes, previous);
        tracker.track(action.at, before, action.freedBytes, { features: vector, prediction: learner.predict(vector), exploratory });
      } catch (error) {
        if (!(error instanceof NeuralInputError)) throw error;
        onError(error);
      }
    },
    recordFeedback(kind, at) {
      tracker.feedback(kind, at);
    },
    status() {
      return {
        phase: learner.samples < minSamples ? 'observing' : 'advising',
        samples: learner.samples,
        minSamples,
        pendingOutcomes: tracker.pending,
        outcomes: stats.outcomes,
        harmful: stats.harmful,
        expired: stats.expired,
        verdicts: { ...stats.verdicts },
        recentError: summariseRecent(stats.recent),
        lastAdvice: stats.lastAdvice,
        preference: stats.preference,
        bounds: { ...stats.bounds },
      };
    },
    toModelFile,
    flush: () => saving,
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
      stats = emptyStats();
      createdAt = clock().toISOString();
      tracker = newTracker();
      lastActionAt = null;
      consecutiveVetoes = 0;
      exploringAt = null;
      explorationPendingUntil = null;
      const store = options.store;
      const removed = saving.then(() => (store ? store.remove() : false));
      saving = removed.then(
        () => undefined,
        (error: unknown) => onError(error as Error),
      );
      return removed;
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
