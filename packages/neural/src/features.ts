import { NeuralInputError } from './errors.js';
import type { SnapshotLike } from './types.js';

/**
 * Identity of the feature vector. A model file trained on another schema (other features,
 * other order, other scaling) is set aside rather than trusted.
 */
export const FEATURE_SCHEMA = { id: 'gov.neural.features', version: 3 } as const;

/** The features, in the order the network sees them. */
export const FEATURE_NAMES = [
  'hourSin',
  'hourCos',
  'hostAvailablePct',
  'linuxUsedPct',
  'reclaimablePct',
  'psiSomeAvg10',
  'cpuBusyPctLog',
  'refaultMiBPerSecLog',
  'runningContainers',
  'minutesSinceLastActionLog',
  'targetPctOfRam',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * The smallest spread each feature is normalised by: its resolution, the change that means
 * something. Outcomes come a few an hour, so early on a feature may have barely moved — the hour
 * of day over one afternoon, the host's available share on a quiet day — and dividing by that
 * tiny spread would turn noise into the loudest input. Units as in `extractFeatures`.
 */
export const FEATURE_MIN_SPREAD: Readonly<Record<FeatureName, number>> = {
  hourSin: 0.5,
  hourCos: 0.5,
  hostAvailablePct: 5,
  linuxUsedPct: 5,
  reclaimablePct: 2,
  psiSomeAvg10: 1,
  cpuBusyPctLog: 0.3,
  refaultMiBPerSecLog: 0.25,
  runningContainers: 1,
  minutesSinceLastActionLog: 0.5,
  targetPctOfRam: 2,
};

/** Everything known at decision time about one proposed reclaim. */
export interface FeatureContext {
  snapshot: SnapshotLike;
  now: Date;
  /** Bytes the reclaim proposes to free; null = as much as the method frees (the reclaimable total). */
  targetBytes: number | null;
  lastActionAt: Date | null;
  runningContainers: number | null;
  /** Refaulted bytes per second over the last minute (workingset_refault delta × page size). */
  refaultBytesPerSec: number;
  /**
   * Share of CPU time that was busy recently (0…100), null when unknown: whether anything is
   * running that could still want its cache — the signal WSL's own idle detection uses.
   */
  cpuBusyPercent: number | null;
}

/** Minutes since the last action when there was none: a day, so "never" reads as "long ago". */
const NO_ACTION_MINUTES = 24 * 60;
const MIB = 1024 * 1024;

/** Rejects NaN, ±∞ and vectors of the wrong length with a `NeuralInputError` naming the feature. */
export function assertFiniteFeatures(values: ArrayLike<number>, names: readonly string[] = FEATURE_NAMES): void {
  if (values.length !== names.length) throw new NeuralInputError(`expected ${names.length} features, got ${values.length}`, 'features', values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new NeuralInputError(`feature ${names[i]} is ${String(value)}; only finite numbers are accepted`, names[i] ?? `#${i}`, value);
  }
}

/**
 * Builds the feature vector for "reclaim now with this target". Throws `NeuralInputError` when
 * the snapshot has no Linux memory or any value is not finite: a model fed garbage learns
 * garbage, so such a moment is not learned from or advised on.
 */
export function extractFeatures(context: FeatureContext): Float64Array {
  const { snapshot, now } = context;
  const linux = snapshot.linux;
  if (!linux) throw new NeuralInputError('the snapshot has no Linux memory', 'snapshot.linux', null);
  if (!(linux.total > 0)) throw new NeuralInputError(`MemTotal is ${String(linux.total)}`, 'snapshot.linux.total', linux.total);
  const hour = now.getHours() + now.getMinutes() / 60;
  const angle = (2 * Math.PI * hour) / 24;
  const host = snapshot.host;
  const hostAvailablePct = host && host.total > 0 ? (host.available / host.total) * 100 : (linux.available / linux.total) * 100;
  const minutesSince = context.lastActionAt ? Math.max(0, (now.getTime() - context.lastActionAt.getTime()) / 60_000) : NO_ACTION_MINUTES;
  const target = context.targetBytes ?? linux.reclaimable;
  const values = Float64Array.of(
    Math.sin(angle),
    Math.cos(angle),
    hostAvailablePct,
    (linux.used / linux.total) * 100,
    (linux.reclaimable / linux.total) * 100,
    snapshot.pressure?.some.avg10 ?? 0,
    // On a log scale too: 0% against 2% (idle against a reader between passes) matters as much as 2% against 20%.
    Math.log1p(Math.min(100, Math.max(0, context.cpuBusyPercent ?? 0))),
    // Refault rates are heavy-tailed: a log keeps one storm from flattening every other sample.
    Math.log1p(Math.max(0, context.refaultBytesPerSec) / MIB),
    context.runningContainers ?? 0,
    Math.log1p(Math.min(minutesSince, NO_ACTION_MINUTES)),
    (target / linux.total) * 100,
  );
  assertFiniteFeatures(values);
  return values;
}
