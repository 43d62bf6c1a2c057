import type { AdvisorSettings } from './advisor-settings.js';
import { NeuralInputError } from './errors.js';
import { extractFeatures, type FeatureContext } from './features.js';
import type { Prediction } from './learner.js';
import type { Preference, ReclaimBounds } from './model-file.js';
import type { Advice } from './types.js';

/*
 * The advisor's decisions as pure functions: data in, advice out. No clock (the moment is an
 * input), no IO, and nothing passed in is changed. `createNeuralAdvisor` keeps the state they
 * read and records what they answer.
 */

/** What a model can be asked: the learner's predictions, and how many outcomes it has learned from. */
export interface Predictor {
  readonly samples: number;
  predict(features: ArrayLike<number>): Prediction;
}

/** The model the advice comes from: a predictor and the thresholds that turn predictions into verdicts. */
export interface AdviceModel {
  predictor: Predictor;
  settings: AdvisorSettings;
}

/** Everything known about the present but the target: the features of "reclaim now" less its size. */
export type Moment = Omit<FeatureContext, 'targetBytes'>;

/** One reclaim to advise on, at one moment. */
export interface AdviceInput extends Moment {
  decision: { targetBytes: number | null };
}

/** What limits the advice besides the model: what has been tried, and what is still out. */
export interface AdviceBounds {
  /** How large a reclaim has proved harmless, or harmful when tried. */
  reclaim: ReclaimBounds;
  /** Vetoes in a row just before this advice. */
  consecutiveVetoes: number;
  /** An exploratory raise is out and not yet measured: no other until then. */
  explorationPending: boolean;
  /** What the model's outcomes were: read before `minSamples` by the young-model guard. */
  record: { outcomes: number; harmful: number };
}

export interface AdviceResult {
  advice: Advice;
  /** The advice is an exploratory raise: its outcome moves the bounds of what is tried next. */
  exploratory: boolean;
  /** A snapshot the features could not be taken from; the advice then lets the decision through. */
  refused: NeuralInputError | null;
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

const MIB = 1024 * 1024;
/** Shares of the reclaimable memory the advisor weighs as targets. */
const SHARES = [0.125, 0.25, 0.5, 1];
/** An exploratory raise needs the proposed reclaim to be expected to keep at least this share free. */
const EXPLORE_KEPT_SHARE = 0.5;

function mib(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / 1024 / MIB).toFixed(1)} GiB` : `${Math.round(bytes / MIB)} MiB`;
}

const percent = (p: number) => `${Math.round(p * 100)}%`;

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

function optionFor(target: number, prediction: Prediction): Option {
  const keptBytes = Math.round(Math.min(1, Math.max(0, prediction.keptShare)) * target);
  return { target, prediction, keptBytes, value: keptBytes * (1 - prediction.harmProbability) };
}

const predictAt = (model: AdviceModel, moment: Moment, targetBytes: number | null) => model.predictor.predict(extractFeatures({ ...moment, targetBytes }));

/**
 * Weighs targets: `first` (with its prediction, when given) and shares of the reclaimable
 * memory that `accept` lets in. The value of a target is the bytes expected to stay free
 * (kept share × target) times the chance of no harm; the best wins, `first` on a tie.
 */
function bestTarget(model: AdviceModel, moment: Moment, accept: (option: Option) => boolean, first?: Option): Option | null {
  const linux = moment.snapshot.linux;
  let best: Option | null = first ?? null;
  if (!linux) return best;
  for (const share of SHARES) {
    const target = Math.floor(linux.reclaimable * share);
    if (target < model.settings.minTargetBytes || target === first?.target) continue;
    const option = optionFor(target, predictAt(model, moment, target));
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
function exploration(model: AdviceModel, moment: Moment, current: Option, bounds: AdviceBounds): Option | null {
  const linux = moment.snapshot.linux;
  if (!model.settings.mayRaise || !linux || bounds.explorationPending) return null;
  const { harmProbability, keptShare } = current.prediction;
  if (!(harmProbability < model.settings.exploreAt && keptShare >= EXPLORE_KEPT_SHARE)) return null;
  const target = Math.floor(Math.min(linux.reclaimable, explorationLimit(bounds.reclaim) * linux.total) / MIB) * MIB;
  return target >= current.target * 1.1 ? optionFor(target, current.prediction) : null;
}

/** What the model would do at this moment: the best target, or wait. Null without Linux memory. */
export function preferNow(model: AdviceModel, moment: Moment): Preference | null {
  const { minTargetBytes, minKeptShare, vetoAt } = model.settings;
  const best = bestTarget(model, moment, () => true);
  if (!best) return null;
  const kept = best.keptBytes;
  const harm = best.prediction.harmProbability;
  const risky = harm >= vetoAt;
  const pointless = kept < minTargetBytes || best.prediction.keptShare < minKeptShare;
  const wait = risky || pointless;
  return {
    at: moment.now.toISOString(),
    action: wait ? 'wait' : 'reclaim',
    targetBytes: wait ? null : best.target,
    predictedKeptBytes: kept,
    harmProbability: harm,
    summary: risky ? `wait: reclaiming now risks harm (${percent(harm)})` : pointless ? `wait: reclaiming now would keep only ~${mib(kept)} free` : `reclaim about ${mib(best.target)} now (keeps ~${mib(kept)} free, harm ${percent(harm)})`,
  };
}

const answer = (advice: Advice, exploratory = false): AdviceResult => ({ advice, exploratory, refused: null });

/**
 * Before `minSamples` the network is not trusted, but what its outcomes were is a fact: when most
 * of them were harmful (at least `youngGuardOutcomes` measured), the policy's reclaims are what
 * hurt, so a reclaim is shrunk to the largest one measured harmless, or vetoed when none was
 * (with a probe after `maxVetoes` in a row, so the model keeps learning). Null: no such record.
 */
function youngModelGuard(model: AdviceModel, request: AdviceInput, bounds: AdviceBounds): AdviceResult | null {
  const { settings } = model;
  const { outcomes, harmful } = bounds.record;
  if (settings.youngGuardOutcomes === 0 || outcomes < settings.youngGuardOutcomes || harmful * 2 <= outcomes) return null;
  const linux = request.snapshot.linux;
  const proposed = request.decision.targetBytes ?? linux?.reclaimable ?? null;
  const harmless = linux ? Math.floor((bounds.reclaim.largestHarmless * linux.total) / MIB) * MIB : 0;
  const record = `young model: ${harmful} of ${outcomes} outcomes harmful`;
  if (proposed !== null && harmless >= proposed) return null;
  if (request.decision.targetBytes !== null && proposed !== null && harmless >= settings.minTargetBytes) {
    return answer({ verdict: 'shrink', targetBytes: harmless, reason: `${record}: shrunk ${mib(proposed)} → ${mib(harmless)}, the largest reclaim measured harmless` });
  }
  if (bounds.consecutiveVetoes >= settings.maxVetoes) return answer({ verdict: 'allow', reason: `${record}: probe after ${bounds.consecutiveVetoes} vetoes, measuring again` });
  return answer({ verdict: 'veto', reason: `${record}, ${harmless >= settings.minTargetBytes ? `none above ${mib(harmless)} harmless` : 'none harmless'}: waiting for one that is` });
}

/**
 * Advice on one dynamic-policy reclaim: let it through, veto it, shrink or raise its target. Until
 * the model has learned from `minSamples` outcomes the decision is let through, unless most of
 * the outcomes so far were harmful (the young-model guard).
 */
export function advise(model: AdviceModel, request: AdviceInput, bounds: AdviceBounds): AdviceResult {
  const { predictor, settings } = model;
  const { vetoAt, shrinkAt, minKeptShare, minTargetBytes, mayRaise } = settings;
  if (predictor.samples < settings.minSamples) {
    return youngModelGuard(model, request, bounds) ?? answer({ verdict: 'allow', reason: `learning: ${predictor.samples} of ${settings.minSamples} outcomes seen, the policy decides` });
  }
  const proposed = request.decision.targetBytes;
  let prediction: Prediction;
  try {
    prediction = predictAt(model, request, proposed);
  } catch (error) {
    if (!(error instanceof NeuralInputError)) throw error;
    return { advice: { verdict: 'allow', reason: `no advice: ${error.message}` }, exploratory: false, refused: error };
  }
  const current = optionFor(proposed ?? (request.snapshot.linux as { reclaimable: number }).reclaimable, prediction);
  const keptBytes = current.keptBytes;
  const harm = prediction.harmProbability;
  const about = `model of ${predictor.samples} outcomes`;
  if (harm >= vetoAt) {
    if (bounds.consecutiveVetoes >= settings.maxVetoes) {
      return answer({ verdict: 'allow', reason: `probe after ${bounds.consecutiveVetoes} vetoes: harm ${percent(harm)} expected, measuring again (${about})` });
    }
    return answer({ verdict: 'veto', reason: `harm expected: ${percent(harm)} chance of a slowdown or OOM within ${Math.round(settings.horizonMs / 60_000)} min (${about})` });
  }
  // Smaller targets must stay below the veto line, larger ones (a raise) be clearly safe. A
  // whole-method reclaim (no target) is let through or not: the advisor never invents one.
  const acceptable = (option: Option) => option.prediction.keptShare >= minKeptShare && (option.target < current.target ? option.prediction.harmProbability < vetoAt : mayRaise && option.prediction.harmProbability < shrinkAt);
  const best = proposed === null ? current : (bestTarget(model, request, acceptable, current) ?? current);
  const explore = proposed === null ? null : exploration(model, request, current, bounds);
  if (proposed !== null && explore && explore.target > best.target) {
    const total = (request.snapshot.linux as { total: number }).total;
    const why = describeExplorationLimit(bounds.reclaim, (share) => mib(share * total));
    return answer({ verdict: 'raise', targetBytes: explore.target, reason: `exploring: raised ${mib(proposed)} → ${mib(explore.target)}, ${why}, as the proposed one looks safe (harm ${percent(harm)}, ${percent(prediction.keptShare)} expected to stay free) (${about})` }, true);
  }
  if (best.keptBytes < minTargetBytes || best.prediction.keptShare < minKeptShare) {
    const kept = `only ~${mib(best.keptBytes)} (${percent(best.prediction.keptShare)}) would stay free`;
    return answer({ verdict: 'veto', reason: `not worth it: ${kept}, under ${best.keptBytes < minTargetBytes ? mib(minTargetBytes) : `${percent(minKeptShare)} of it`} (${about})` });
  }
  if (proposed !== null && best.target >= proposed * 1.1) {
    const target = Math.floor(best.target / MIB) * MIB;
    return answer({ verdict: 'raise', targetBytes: target, reason: `raised ${mib(proposed)} → ${mib(target)}: expected to keep ~${mib(best.keptBytes)} free (vs ~${mib(keptBytes)}), harm ${percent(best.prediction.harmProbability)} (${about})` });
  }
  if (proposed !== null && best.target < proposed * 0.9) {
    const target = Math.floor(best.target / MIB) * MIB;
    return answer({ verdict: 'shrink', targetBytes: target, reason: `shrunk ${mib(proposed)} → ${mib(target)}: expected to keep ~${mib(best.keptBytes)} free at ${percent(best.prediction.harmProbability)} harm (vs ~${mib(keptBytes)} at ${percent(harm)}) (${about})` });
  }
  if (proposed !== null && harm >= shrinkAt) {
    const target = Math.floor((proposed * (1 - harm)) / MIB) * MIB;
    if (target < minTargetBytes) return answer({ verdict: 'veto', reason: `not worth it: harm risk ${percent(harm)} leaves under ${mib(minTargetBytes)} (${about})` });
    return answer({ verdict: 'shrink', targetBytes: target, reason: `shrunk ${mib(proposed)} → ${mib(target)}: harm risk ${percent(harm)} (${about})` });
  }
  return answer({ verdict: 'allow', reason: `expected to keep ~${mib(keptBytes)} free, harm ${percent(harm)} (${about})` });
}
