import { NeuralOptionsError } from './errors.js';
import type { HarmRules } from './outcome.js';

/** Outcomes the advisor learns from before it gives advice (`min_samples`). */
export const DEFAULT_MIN_SAMPLES = 20;

const MIB = 1024 * 1024;

/** The advisor's tuning: every option of `createNeuralAdvisor` that is a number or a switch. */
export interface AdvisorTuning {
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
  /**
   * The young-model guard: before `minSamples`, once at least this many outcomes are measured and
   * most of them were harmful, reclaims are shrunk to the largest measured harmless or vetoed.
   * 0 turns it off (the policy decides alone until `minSamples`). Default 4.
   */
  youngGuardOutcomes?: number;
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
}

/** The tuning with every default filled in and checked. */
export interface AdvisorSettings {
  minSamples: number;
  horizonMs: number;
  pageSize: number;
  harmRules: Partial<HarmRules> | undefined;
  vetoAt: number;
  shrinkAt: number;
  exploreAt: number;
  maxVetoes: number;
  youngGuardOutcomes: number;
  minTargetBytes: number;
  minKeptShare: number;
  mayRaise: boolean;
}

/** Fills in the defaults and refuses combinations that make no sense with a `NeuralOptionsError`. */
export function resolveAdvisorSettings(tuning: AdvisorTuning): AdvisorSettings {
  const settings: AdvisorSettings = {
    minSamples: tuning.minSamples ?? DEFAULT_MIN_SAMPLES,
    horizonMs: tuning.horizonMs ?? 300_000,
    pageSize: tuning.pageSize ?? 4096,
    harmRules: tuning.harmRules,
    vetoAt: tuning.vetoHarmProbability ?? 0.5,
    shrinkAt: tuning.shrinkHarmProbability ?? 0.25,
    exploreAt: tuning.exploreHarmProbability ?? 0.1,
    maxVetoes: tuning.maxConsecutiveVetoes ?? 10,
    youngGuardOutcomes: tuning.youngGuardOutcomes ?? 4,
    minTargetBytes: tuning.minTargetBytes ?? 16 * MIB,
    minKeptShare: tuning.minKeptShare ?? 0.25,
    mayRaise: tuning.mayRaise ?? true,
  };
  const { minSamples, horizonMs, vetoAt, shrinkAt, exploreAt, minKeptShare, maxVetoes } = settings;
  if (!Number.isInteger(minSamples) || minSamples < 0) throw new NeuralOptionsError(`minSamples must be a whole number ≥ 0, got ${minSamples}`);
  if (!(horizonMs > 0)) throw new NeuralOptionsError(`horizonMs must be positive, got ${horizonMs}`);
  if (!(shrinkAt > 0 && shrinkAt <= vetoAt && vetoAt <= 1)) throw new NeuralOptionsError(`need 0 < shrinkHarmProbability ≤ vetoHarmProbability ≤ 1, got ${shrinkAt} and ${vetoAt}`);
  if (!(exploreAt >= 0 && exploreAt <= shrinkAt)) throw new NeuralOptionsError(`need 0 ≤ exploreHarmProbability ≤ shrinkHarmProbability, got ${exploreAt} and ${shrinkAt}`);
  if (!(minKeptShare >= 0 && minKeptShare <= 1)) throw new NeuralOptionsError(`minKeptShare must lie in 0…1, got ${minKeptShare}`);
  if (!Number.isInteger(maxVetoes) || maxVetoes < 1) throw new NeuralOptionsError(`maxConsecutiveVetoes must be a whole number ≥ 1, got ${maxVetoes}`);
  if (!Number.isInteger(settings.youngGuardOutcomes) || settings.youngGuardOutcomes < 0) throw new NeuralOptionsError(`youngGuardOutcomes must be a whole number ≥ 0, got ${settings.youngGuardOutcomes}`);
  return settings;
}
