import { DEFAULT_MIN_SAMPLES } from './advisor-settings.js';
import type { AdvisorStats, ModelFile, Preference, ReclaimBounds, RecentOutcome } from './model-file.js';

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
 * The status of a model that has learned from `samples` outcomes, with `pendingOutcomes` actions
 * still being measured; the same for a running advisor and a saved file.
 */
export function learnStatus(stats: AdvisorStats, samples: number, minSamples: number, pendingOutcomes: number): LearnStatus {
  return {
    phase: samples < minSamples ? 'observing' : 'advising',
    samples,
    minSamples,
    pendingOutcomes,
    outcomes: stats.outcomes,
    harmful: stats.harmful,
    expired: stats.expired,
    verdicts: { ...stats.verdicts },
    recentError: summariseRecent(stats.recent),
    lastAdvice: stats.lastAdvice,
    preference: stats.preference,
    bounds: { ...stats.bounds },
  };
}

/** Summarises a saved model file the way the running advisor's `status()` would. */
export function summariseModel(model: ModelFile, minSamples: number = DEFAULT_MIN_SAMPLES): ModelSummary {
  const { pendingOutcomes: _, ...status } = learnStatus(model.stats, model.learner.samples, minSamples, 0);
  return { ...status, createdAt: model.createdAt, updatedAt: model.updatedAt };
}
