import type { Snapshot } from '@gov/meminfo';
import type { ReclaimDecision, ReclaimMethod } from './decide.js';
import type { HistoryRecord } from './history.js';

/** Where a tick's memory snapshot comes from (`readSnapshot` of `@gov/meminfo`, bound to its options). */
export interface SnapshotSource {
  readSnapshot(): Promise<Snapshot>;
}

/** What the Governor asks of a reclaimer; `@gov/reclaimer`'s `ReclaimRequest` accepts it. */
export interface ReclaimRequestLike {
  method: ReclaimMethod;
  targetBytes?: number;
  /** Compact afterwards: the Governor asks for it under WSL2, where compaction returns the memory to Windows. */
  compact?: boolean;
  dryRun?: boolean;
}

/** The part of `@gov/reclaimer`'s `ReclaimResult` the Governor records. */
export interface ReclaimResultLike {
  method: string;
  targetBytes: number | null;
  steps: Array<{ name: string; status: 'ok' | 'skipped' | 'failed'; error?: { code: string; message: string }; durationMs: number }>;
  freedBytes: number;
  /** What `freedBytes` measures; absent means `machine`. */
  freedMeasure?: 'cgroup' | 'machine';
  durationMs: number;
  dryRun: boolean;
  fallback?: { from: string; to: string; reason: string };
}

/** Runs a reclaim; a failed step is reported in the result, not thrown. */
export interface ReclaimPort {
  reclaim(request: ReclaimRequestLike): Promise<ReclaimResultLike>;
}

/** What the Governor passes to `pauseIdle`; `@gov/docker`'s `PauseIdleOptions` accepts it. */
export interface ContainerPauseOptions {
  idleForMs: number;
  dryRun: boolean;
  /** The config switched auto-pause on, which is the user's consent. */
  confirm: () => boolean;
  allow: readonly string[];
  deny: readonly string[];
  maxPausesPerTick: number;
}

/** Pauses idle containers (and reclaims their cgroups); `@gov/docker`'s client satisfies it. */
export interface ContainerPort {
  pauseIdle(options: ContainerPauseOptions): Promise<{ paused: string[]; freedBytes: number; wouldPause?: string[] }>;
  /**
   * Lists the containers. The Governor calls it while it senses, each tick the advisor or
   * auto-pause needs it: the advisor learns how many run, and `@gov/docker` records the CPU
   * sample idle detection needs. A failed listing only leaves the count unknown.
   */
  listContainers?(): Promise<readonly { state: string }[]>;
}

/** What the Governor passes to `reclaimIdle`; `@gov/docker`'s `PodReclaimOptions` accepts it. */
export interface PodReclaimOptionsLike {
  idleForMs: number;
  dryRun: boolean;
  exclude: readonly string[];
  maxPodsPerTick: number;
}

/**
 * Reclaims the page cache of idle pods on a Kubernetes node; `@gov/docker`'s pod client
 * satisfies it. Pods are never paused.
 */
export interface PodPort {
  reclaimIdle(options: PodReclaimOptionsLike): Promise<{ reclaimed: string[]; wouldReclaim?: string[]; freedBytes: number }>;
  /**
   * Lists the pods. The Governor calls it while it senses, each tick `kubernetes.reclaim_idle_pods`
   * is on, so the CPU samples idle detection needs are taken every tick.
   */
  listPods?(): Promise<unknown>;
}

/** Appends one history line durably (govd: JSON Lines, fsync'd). */
export interface HistoryPort {
  append(record: HistoryRecord): Promise<void>;
}

export interface Clock {
  now(): Date;
  /**
   * A monotonic time in milliseconds with sub-millisecond resolution (`performance.now()`), for
   * durations. Absent: durations are differences of `now()`, whole milliseconds.
   */
  monotonicMs?(): number;
}

export interface AdviceRequest {
  decision: ReclaimDecision;
  snapshot: Snapshot;
  now: Date;
  lastActionAt: Date | null;
  /** Containers running, from this tick's container listing; `null` when unknown. */
  runningContainers: number | null;
}

/**
 * The advisor's answer on one reclaim: let it through, veto it, shrink its target, or raise it
 * (a raised target still passes the safety floor and the reclaimer's range).
 */
export type Advice =
  | { verdict: 'allow'; reason: string }
  | { verdict: 'veto'; reason: string }
  | { verdict: 'shrink'; targetBytes: number; reason: string }
  | { verdict: 'raise'; targetBytes: number; reason: string };

export interface AdvisedAction {
  at: Date;
  decision: ReclaimDecision;
  targetBytes: number | null;
  freedBytes: number;
}

/**
 * A learned opinion on reclaims (`@gov/neural`'s advisor satisfies it). It is asked only about
 * dynamic-policy reclaims: never about emergency reclaims or anything the safety floors decided.
 */
export interface Advisor {
  /** Only asked about dynamic-policy reclaims. */
  advise(request: AdviceRequest): Advice;
  /** Every tick: lets it measure outcomes. */
  observe(snapshot: Snapshot, now: Date): void;
  /** After an action the governor took. */
  recordAction(action: AdvisedAction): void;
  /** `gov feedback`. */
  recordFeedback(kind: 'slow' | 'ok', at: Date): void;
}

/** Structured logging (pino's `logger.info(object, message)` shape). */
export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}
