import type { Snapshot, Vmstat } from '@gov/meminfo';
import type { GovConfig } from './config-schema.js';

/** How long after an action an OOM kill or refault storm is blamed on it. */
export const INCIDENT_WINDOW_MS = 5 * 60_000;
/** A backoff is halved after this long without any incident. */
export const CLEAN_PERIOD_MS = 60 * 60_000;
/** The interval is never stretched by more than this factor. */
export const MAX_BACKOFF_FACTOR = 16;

export type IncidentKind = 'oom-kill' | 'refault-storm';

/** Something that went wrong for the workload, measured from `/proc/vmstat` deltas between two ticks. */
export interface Incident {
  kind: IncidentKind;
  /** ISO time of the tick that saw it. */
  at: string;
  /** OOM kills since the previous tick, or refaulted pages per second. */
  amount: number;
}

/**
 * What the policies remember between ticks. A plain JSON-serialisable object: the Governor keeps
 * it, `nextState` derives the next one, and it may be persisted as is.
 */
export interface PolicyState {
  /** ISO time of the last reclaim decided (acted on, tried, or recorded in dry-run). */
  lastReclaimAt: string | null;
  /** ISO time of the last idle action decided: a pause of idle containers, or a reclaim of idle pods' page cache. */
  lastPauseAt: string | null;
  /** The scheduled minute (`YYYY-MM-DD HH:MM`, local time) already served. */
  lastScheduledSlot: string | null;
  backoff: {
    /** Multiplies the active policy's interval: 1, 2, 4 … up to `MAX_BACKOFF_FACTOR`. */
    factor: number;
    /** ISO time the factor last doubled or halved. */
    changedAt: string | null;
    /** ISO time of the action the last doubling was blamed on, so one action doubles it only once. */
    blamedActionAt: string | null;
  };
  lastIncident: Incident | null;
  /** The previous tick's vmstat counters, for deltas. */
  previous: { at: string; vmstat: Vmstat } | null;
}

/** The state before the first tick. */
export function createPolicyState(): PolicyState {
  return { lastReclaimAt: null, lastPauseAt: null, lastScheduledSlot: null, backoff: { factor: 1, changedAt: null, blamedActionAt: null }, lastIncident: null, previous: null };
}

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

const delta = (current: number | null, previous: number | null): number | null => (current === null || previous === null || current < previous ? null : current - previous);

/**
 * Finds an incident between the previous tick's vmstat and this one's:
 * - an OOM kill: `oom_kill` went up;
 * - a refault storm: `workingset_refault_file + workingset_refault_anon` grew by at least
 *   `governor.refault_storm_pages_per_sec` pages per second since the previous tick — pages
 *   the kernel had to read back soon after evicting them, which is what an over-eager reclaim causes.
 * A counter that went down (a reset) or is missing gives no incident.
 */
export function detectIncident(previous: PolicyState['previous'], vmstat: Vmstat | null, config: GovConfig, now: Date): Incident | null {
  if (previous === null || vmstat === null) return null;
  const seconds = (now.getTime() - Date.parse(previous.at)) / 1000;
  if (!(seconds > 0)) return null;
  const at = now.toISOString();
  const ooms = delta(vmstat.oomKill, previous.vmstat.oomKill);
  if (ooms !== null && ooms > 0) return { kind: 'oom-kill', at, amount: ooms };
  const file = delta(vmstat.workingsetRefaultFile, previous.vmstat.workingsetRefaultFile);
  const anon = delta(vmstat.workingsetRefaultAnon, previous.vmstat.workingsetRefaultAnon);
  if (file === null && anon === null) return null;
  const rate = ((file ?? 0) + (anon ?? 0)) / seconds;
  return rate >= config.governor.refault_storm_pages_per_sec ? { kind: 'refault-storm', at, amount: Math.round(rate) } : null;
}

/** The time of the last action (reclaim or pause), in ms. */
function lastActionMs(state: PolicyState): number | null {
  const times = [ms(state.lastReclaimAt), ms(state.lastPauseAt)].filter((time): time is number => time !== null);
  return times.length === 0 ? null : Math.max(...times);
}

/**
 * This tick's view of the slow-moving state: incidents from the vmstat deltas and the backoff
 * they cause. Doubling: an incident within 5 minutes after an action doubles the factor (once per
 * action). Halving: a full hour with no incident at all since the last change halves it.
 */
export function observeSnapshot(state: PolicyState, snapshot: Snapshot, config: GovConfig, now: Date): PolicyState {
  const incident = detectIncident(state.previous, snapshot.vmstat, config, now);
  const nowMs = now.getTime();
  let backoff = state.backoff;
  const actionMs = lastActionMs(state);
  const blamedMs = ms(backoff.blamedActionAt);
  if (incident && actionMs !== null && nowMs - actionMs <= INCIDENT_WINDOW_MS && blamedMs !== actionMs) {
    backoff = { factor: Math.min(backoff.factor * 2, MAX_BACKOFF_FACTOR), changedAt: now.toISOString(), blamedActionAt: new Date(actionMs).toISOString() };
  } else if (backoff.factor > 1) {
    const quietSince = Math.max(ms(backoff.changedAt) ?? 0, ms(incident?.at ?? state.lastIncident?.at ?? null) ?? 0);
    if (nowMs - quietSince >= CLEAN_PERIOD_MS) backoff = { ...backoff, factor: Math.max(1, backoff.factor / 2), changedAt: now.toISOString() };
  }
  return {
    ...state,
    backoff,
    lastIncident: incident ?? state.lastIncident,
    previous: snapshot.vmstat ? { at: now.toISOString(), vmstat: snapshot.vmstat } : state.previous,
  };
}

/** The local minute a time falls in, `YYYY-MM-DD HH:MM`: the key of a scheduled slot. */
export function localMinute(now: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
}
