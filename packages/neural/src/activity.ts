import { refaultPages } from './outcome.js';
import type { SnapshotLike } from './types.js';

/** One reading of a cumulative counter. */
interface CounterSample<T> {
  atMs: number;
  value: T;
}

/**
 * The recent readings of the cumulative counters the features are rates of: refaulted pages, and
 * busy and total CPU ticks. Plain data; `recordActivity` returns the next one.
 */
export interface Activity {
  refaults: readonly CounterSample<number>[];
  cpu: readonly CounterSample<{ busy: number; total: number }>[];
}

/** What the counters say about the recent past, as the features read it. */
export interface ActivityRates {
  /** Refaulted bytes per second over the last minute. */
  refaultBytesPerSec: number;
  /** Share of CPU time that was busy over the last 15 s or more (0…100); null when unknown. */
  cpuBusyPercent: number | null;
}

const REFAULT_WINDOW_MS = 60_000;
/** CPU activity is judged over at least this long (or the last tick, when ticks are longer). */
const CPU_WINDOW_MS = 15_000;

export const NO_ACTIVITY: Activity = { refaults: [], cpu: [] };

/**
 * Adds a reading to a counter's samples, keeping just enough to measure its change over the last
 * `windowMs`: the newest sample at least that old, and every younger one. A reading no later
 * than the newest adds nothing.
 */
function addSample<T>(samples: readonly CounterSample<T>[], atMs: number, value: T, windowMs: number): readonly CounterSample<T>[] {
  const last = samples.at(-1);
  if (last && atMs <= last.atMs) return samples;
  const next = [...samples, { atMs, value }];
  let start = 0;
  while (next.length - start > 2 && (next[start + 1] as CounterSample<T>).atMs <= atMs - windowMs) start += 1;
  return start === 0 ? next : next.slice(start);
}

/**
 * The oldest and newest samples spanning the window: from the newest sample at least `windowMs`
 * old (else the oldest) — unless that one is more than two windows old and a younger one exists
 * (the governor was stopped in between), then from the oldest younger one, so a stale sample does
 * not dilute the present. Null with fewer than two.
 */
function spanOf<T>(samples: readonly CounterSample<T>[], windowMs: number): { from: CounterSample<T>; to: CounterSample<T> } | null {
  const to = samples.at(-1);
  let from = samples[0];
  if (to && from && to.atMs - from.atMs > 2 * windowMs && samples.length > 2) from = samples[1];
  return to && from && to.atMs > from.atMs ? { from, to } : null;
}

/** The activity after reading `snapshot` at `atMs`; the input is left as it was. */
export function recordActivity(activity: Activity, snapshot: SnapshotLike, atMs: number): Activity {
  const pages = refaultPages(snapshot);
  const cpu = snapshot.cpu;
  return {
    refaults: pages === null ? activity.refaults : addSample(activity.refaults, atMs, pages, REFAULT_WINDOW_MS),
    cpu: cpu && Number.isFinite(cpu.busy) && Number.isFinite(cpu.total) ? addSample(activity.cpu, atMs, { busy: cpu.busy, total: cpu.total }, CPU_WINDOW_MS) : activity.cpu,
  };
}

/** The refault rate and CPU share the samples show; `pageSize` turns pages into bytes. */
export function activityRates(activity: Activity, pageSize: number): ActivityRates {
  const refaults = spanOf(activity.refaults, REFAULT_WINDOW_MS);
  const cpu = spanOf(activity.cpu, CPU_WINDOW_MS);
  const cpuTotal = cpu ? cpu.to.value.total - cpu.from.value.total : 0;
  return {
    refaultBytesPerSec: refaults ? (Math.max(0, refaults.to.value - refaults.from.value) * pageSize * 1000) / (refaults.to.atMs - refaults.from.atMs) : 0,
    cpuBusyPercent: cpu && cpuTotal > 0 ? (Math.max(0, cpu.to.value.busy - cpu.from.value.busy) / cpuTotal) * 100 : null,
  };
}
