import type { HealthResponse, ReadinessResponse } from '@gov/api';
import type { Snapshot } from '@gov/meminfo';

/** A probe's answer and whether it passes (200) or fails (503). */
export interface ProbeAnswer<A> {
  passing: boolean;
  answer: A;
}

/**
 * How long the loop may go without finishing a tick: two check intervals (one late tick is not
 * a hang) plus a minute for a slow one (every source has a deadline of a few seconds, so a tick
 * that takes longer is stuck).
 */
export function maxTickAgeSeconds(checkIntervalSecs: number): number {
  return 2 * checkIntervalSecs + 60;
}

/** Liveness: the last tick finished (or govd started) less than `maxTickAgeSeconds` ago. */
export function judgeHealth(input: { now: Date; startedAt: Date; ticks: number; lastTickAt: Date | null; checkIntervalSecs: number }): ProbeAnswer<HealthResponse> {
  const since = input.lastTickAt ?? input.startedAt;
  const ageSeconds = Math.max(0, (input.now.getTime() - since.getTime()) / 1000);
  const maxAgeSeconds = maxTickAgeSeconds(input.checkIntervalSecs);
  const passing = ageSeconds <= maxAgeSeconds;
  return { passing, answer: { status: passing ? 'ok' : 'stale', ticks: input.ticks, lastTickAt: input.lastTickAt?.toISOString() ?? null, ageSeconds, maxAgeSeconds } };
}

/** A source this machine does not offer (no PSI on an old kernel) is absent, not failing. */
const UNSUPPORTED = 'GOV_MEMINFO_UNSUPPORTED';

/** The sources of a snapshot that failed, leaving out those this machine does not offer. */
export function failingSources(snapshot: Snapshot): Snapshot['degraded'] {
  return snapshot.degraded.filter((entry) => entry.code !== UNSUPPORTED);
}

/** Readiness: the last snapshot read Linux memory and no source in it failed. */
export function judgeReadiness(snapshot: Snapshot | null): ProbeAnswer<ReadinessResponse> {
  if (snapshot === null) return { passing: false, answer: { status: 'starting', snapshotAt: null, failing: [] } };
  const failing = failingSources(snapshot);
  const passing = snapshot.linux !== null && failing.length === 0;
  return { passing, answer: { status: passing ? 'ready' : 'degraded', snapshotAt: snapshot.at, failing } };
}
