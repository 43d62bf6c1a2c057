import type { Prediction } from './learner.js';
import type { AdvisorStats, ReclaimBounds } from './model-file.js';
import type { MeasuredOutcome } from './outcome.js';
import type { Advice } from './types.js';

/*
 * What the advisor counts, as pure functions: each takes the stats as they are and returns the
 * next ones, leaving its inputs alone.
 */

/** Measured outcomes kept next to their predictions for `gov learn status`. */
const RECENT = 50;

/** The stats after giving `advice` at `now`. */
export function countVerdict(stats: AdvisorStats, advice: Advice, now: Date): AdvisorStats {
  const targetBytes = advice.verdict === 'shrink' || advice.verdict === 'raise' ? advice.targetBytes : null;
  return {
    ...stats,
    verdicts: { ...stats.verdicts, [advice.verdict]: stats.verdicts[advice.verdict] + 1 },
    lastAdvice: { at: now.toISOString(), verdict: advice.verdict, reason: advice.reason, targetBytes },
  };
}

/**
 * The bounds after an outcome: a harmless reclaim lifts the largest measured harmless (and clears
 * a harmful raise it reached); harm after an exploratory raise above it marks where harm starts.
 */
export function widenBounds(bounds: ReclaimBounds, outcome: MeasuredOutcome, exploratory: boolean): ReclaimBounds {
  const share = outcome.memTotal > 0 ? Math.min(1, Math.max(0, outcome.freedBytes / outcome.memTotal)) : 0;
  if (!outcome.harm) {
    const largestHarmless = Math.max(bounds.largestHarmless, share);
    const cleared = bounds.smallestHarmfulRaise !== null && largestHarmless >= bounds.smallestHarmfulRaise;
    return { largestHarmless, smallestHarmfulRaise: cleared ? null : bounds.smallestHarmfulRaise };
  }
  if (exploratory && share > bounds.largestHarmless) return { ...bounds, smallestHarmfulRaise: Math.min(bounds.smallestHarmfulRaise ?? 1, share) };
  return bounds;
}

/** The stats after learning from one measured outcome of an action predicted as `prediction`. */
export function countOutcome(stats: AdvisorStats, outcome: MeasuredOutcome, prediction: Prediction, exploratory: boolean): AdvisorStats {
  const entry = {
    actionAt: outcome.actionAt,
    predictedKeptBytes: Math.round(prediction.keptShare * outcome.freedBytes),
    keptBytes: outcome.keptBytes,
    predictedHarm: prediction.harmProbability,
    harm: outcome.harm,
    harmReasons: outcome.harmReasons,
  };
  return {
    ...stats,
    outcomes: stats.outcomes + 1,
    harmful: stats.harmful + (outcome.harm ? 1 : 0),
    recent: [...stats.recent, entry].slice(-RECENT),
    bounds: widenBounds(stats.bounds, outcome, exploratory),
  };
}

/** The share of an outcome's freed bytes still free at the horizon: what the learner is taught. */
export function keptShareOf(outcome: MeasuredOutcome): number {
  return outcome.freedBytes > 0 ? outcome.keptBytes / outcome.freedBytes : 0;
}
