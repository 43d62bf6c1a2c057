/*
 * The shapes the learner reads. They are the structural subset of `@gov/meminfo`'s `Snapshot`
 * and `@gov/policies`' advisor port that it needs, declared here so the learner has no runtime
 * (or type) dependency on either: a full `Snapshot` or `AdviceRequest` is assignable to them.
 * `governor-wiring.test.ts` has the compiler hold them to the port, so the two cannot drift.
 */

/** The part of a memory snapshot the learner reads; `@gov/meminfo`'s `Snapshot` satisfies it. */
export interface SnapshotLike {
  /** ISO 8601 time the snapshot was taken. */
  at: string;
  linux: { total: number; free: number; used: number; available: number; reclaimable: number } | null;
  pressure: { some: { avg10: number } } | null;
  vmstat: { workingsetRefaultFile: number | null; workingsetRefaultAnon: number | null; oomKill: number | null } | null;
  /** Cumulative CPU ticks (busy and total); only their deltas are read. Absent or null when unknown. */
  cpu?: { busy: number; total: number } | null;
  host: { total: number; available: number } | null;
}

/** A reclaim decision as the Governor proposes it. */
export interface ReclaimDecisionLike {
  kind: 'reclaim';
  policy: string;
  method: string;
  targetBytes: number | null;
  reason: string;
}

/** What the Governor asks its advisor about one dynamic-policy reclaim. */
export interface AdviceRequestLike {
  decision: ReclaimDecisionLike;
  snapshot: SnapshotLike;
  now: Date;
  lastActionAt: Date | null;
  runningContainers: number | null;
}

/** The advisor's answer, the same union as `@gov/policies`' `Advice`. */
export type Advice =
  | { verdict: 'allow'; reason: string }
  | { verdict: 'veto'; reason: string }
  | { verdict: 'shrink'; targetBytes: number; reason: string }
  | { verdict: 'raise'; targetBytes: number; reason: string };

/** An action the Governor took, reported back to the advisor. */
export interface AdvisedActionLike {
  at: Date;
  decision: ReclaimDecisionLike;
  targetBytes: number | null;
  freedBytes: number;
}

export type FeedbackKind = 'slow' | 'ok';
