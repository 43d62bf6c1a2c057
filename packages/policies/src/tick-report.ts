import type { Snapshot } from '@gov/meminfo';
import type { Decision } from './decide.js';
import type { ErrorStage, HistoryRecord } from './history.js';
import type { Advice } from './ports.js';
import type { TickAction } from './record.js';

/** A part of a tick that failed; the tick still finished and the next one runs. */
export interface TickError {
  stage: ErrorStage;
  code: string;
  message: string;
  cause: unknown;
}

/**
 * What the container port's listing said this tick: how many containers run, or why it could
 * not tell (Docker down). A failed listing degrades the tick, it is not an error of it.
 */
export type ContainerReading = { available: true; running: number; error: null } | { available: false; running: null; error: string };

export interface TickReport {
  /** ISO time the tick started. */
  at: string;
  snapshot: Snapshot | null;
  /** Present when the container port was listed this tick (auto-pause on, or an advisor plugged in). */
  containers?: ContainerReading;
  /** What the policy decided. */
  decision: Decision | null;
  /** The advisor's opinion, for dynamic-policy reclaims when an advisor is plugged in. */
  advice: Advice | null;
  /** The decision as taken, after the advisor (a veto is a `none` with code `advisor-veto`). */
  taken: Decision | null;
  action: TickAction | null;
  /** The history line written, if any. */
  record: HistoryRecord | null;
  dryRun: boolean;
  /** How long the whole tick took, sensing included: fractional milliseconds when the clock has `monotonicMs`. */
  durationMs: number;
  errors: TickError[];
}

/** A failure of one stage as the report keeps it: a string code (`GOV_TICK_FAILED` when it has none) and message. */
export function toTickError(stage: ErrorStage, cause: unknown): TickError {
  const error = cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof error?.code === 'string' ? error.code : 'GOV_TICK_FAILED';
  const message = typeof error?.message === 'string' ? error.message : String(cause);
  return { stage, code, message, cause };
}
