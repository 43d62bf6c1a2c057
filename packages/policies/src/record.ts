import type { DecisionPolicy } from './decide.js';
import type { HistoryAdvice, HistoryRecord } from './history.js';
import type { Advice, ReclaimResultLike } from './ports.js';

/** What one action did: a reclaim and its result, a pause of idle containers, or a reclaim of idle pods' page cache. */
export type TickAction =
  | { kind: 'reclaim'; result: ReclaimResultLike }
  | { kind: 'pause-idle-containers'; paused: string[]; freedBytes: number; durationMs: number; dryRun: boolean }
  | { kind: 'reclaim-idle-pods'; reclaimed: string[]; freedBytes: number; durationMs: number; dryRun: boolean };

/** Why an action ran: the decision's policy, code and reason (or the API request's), and the advisor's word. */
export interface ActionCause {
  /** ISO time of the tick or request. */
  at: string;
  policy: DecisionPolicy;
  code: string;
  reason: string;
  advice: HistoryAdvice | null;
}

/** The advisor's answer as a history line keeps it. */
export function toHistoryAdvice(advice: Advice): HistoryAdvice {
  return { verdict: advice.verdict, reason: advice.reason, targetBytes: advice.verdict === 'shrink' || advice.verdict === 'raise' ? advice.targetBytes : null };
}

/**
 * The history line of an action, whoever asked for it (the Governor's tick or govd's
 * `POST /api/reclaim`). A reclaim records the method that really ran (after any fallback).
 */
export function toHistoryRecord(action: TickAction, cause: ActionCause): HistoryRecord {
  const base = { at: cause.at, policy: cause.policy, code: cause.code, reason: cause.reason };
  if (action.kind === 'pause-idle-containers') {
    return { kind: 'pause-idle-containers', ...base, paused: action.paused, freedBytes: action.freedBytes, durationMs: action.durationMs, dryRun: action.dryRun };
  }
  if (action.kind === 'reclaim-idle-pods') {
    return { kind: 'reclaim-idle-pods', ...base, reclaimed: action.reclaimed, freedBytes: action.freedBytes, durationMs: action.durationMs, dryRun: action.dryRun };
  }
  const { result } = action;
  return {
    kind: 'reclaim',
    ...base,
    method: result.fallback?.to ?? result.method,
    targetBytes: result.targetBytes,
    freedBytes: result.freedBytes,
    ...(result.freedMeasure ? { freedMeasure: result.freedMeasure } : {}),
    durationMs: result.durationMs,
    dryRun: result.dryRun,
    steps: result.steps.map((step) => ({ name: step.name, status: step.status, durationMs: step.durationMs, ...(step.error ? { error: { code: step.error.code, message: step.error.message } } : {}) })),
    advice: cause.advice,
    ...(result.fallback ? { fallback: { ...result.fallback } } : {}),
  };
}
