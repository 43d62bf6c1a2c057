import { TELEMETRY_MAX_POINTS, TELEMETRY_RANGES, type TelemetryAction, type TelemetryPoint, type TelemetryRange, type TelemetryResponse } from '@gov/api';
import type { Snapshot } from '@gov/meminfo';
import { createBufferStore, type BufferStoreStatus } from '@gov/ringbuffer-evictor';

export interface TelemetryOptions {
  /** Samples kept; the default is a day at the default 30 s interval. */
  pointCapacity?: number;
  /** Coarse samples kept, one per `coarseSlotMs`; the default is a week of 10-minute slots. */
  coarseCapacity?: number;
  coarseSlotMs?: number;
  actionCapacity?: number;
  /** Byte budget of both buffers together (soft limit); hard is twice it, critical four times. */
  budgetBytes?: number;
  now?: () => number;
}

/** Bytes counted per sample: nine numbers and an ISO string, with object overhead. */
const POINT_BYTES = 256;
/** Per-entry overhead on top of an action's JSON length (UTF-16, two bytes a character). */
const ACTION_OVERHEAD_BYTES = 96;

/** Every `step`-th point of a list, always ending on its last, so at most about `max` remain. */
export function thinPoints<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const step = Math.ceil(points.length / max);
  const kept = points.filter((_, index) => (points.length - 1 - index) % step === 0);
  return kept;
}

/** Reduces a snapshot to a chart sample. */
export function toTelemetryPoint(snapshot: Snapshot): TelemetryPoint {
  return {
    at: snapshot.at,
    total: snapshot.linux?.total ?? null,
    used: snapshot.linux?.used ?? null,
    cached: snapshot.linux?.cached ?? null,
    available: snapshot.linux?.available ?? null,
    reclaimable: snapshot.linux?.reclaimable ?? null,
    hostTotal: snapshot.host?.total ?? null,
    hostAvailable: snapshot.host?.available ?? null,
    psiSomeAvg10: snapshot.pressure?.some.avg10 ?? null,
  };
}

/**
 * govd's in-memory telemetry (recent samples and actions) held in memory-enforced ring
 * buffers, so the daemon's own footprint is bounded however long it runs.
 */
export function createTelemetry(options: TelemetryOptions = {}) {
  const budget = options.budgetBytes ?? 1536 * 1024;
  const slotMs = options.coarseSlotMs ?? 600_000;
  const now = options.now ?? Date.now;
  let lastSlot = Number.NaN;
  const store = createBufferStore<{ points: TelemetryPoint; coarse: TelemetryPoint; actions: TelemetryAction }>({
    buffers: {
      // Fine samples go first under pressure, then the week's coarse ones: the actions are the
      // rarer, more telling record.
      points: { capacity: options.pointCapacity ?? 2880, priority: 0, fixedBytes: POINT_BYTES },
      coarse: { capacity: options.coarseCapacity ?? 1008, priority: 1, fixedBytes: POINT_BYTES },
      actions: { capacity: options.actionCapacity ?? 1000, priority: 2, sizeOf: (action) => JSON.stringify(action).length * 2, overheadBytes: ACTION_OVERHEAD_BYTES },
    },
    limits: { softBytes: budget, hardBytes: budget * 2, criticalBytes: budget * 4 },
    cooldownMs: 1000,
    checkIntervalMs: 60_000,
    now,
  });
  return {
    store,
    recordSnapshot(snapshot: Snapshot): void {
      const point = toTelemetryPoint(snapshot);
      store.add('points', [point]);
      // The first sample of each slot stands for it in the week's view.
      const slot = Math.floor(Date.parse(point.at) / slotMs);
      if (slot !== lastSlot) {
        lastSlot = slot;
        store.add('coarse', [point]);
      }
    },
    recordAction(action: TelemetryAction): void {
      store.add('actions', [action]);
    },
    points(): TelemetryPoint[] {
      return store.entries('points');
    },
    actions(): TelemetryAction[] {
      return store.entries('actions');
    },
    /**
     * The samples and actions of the last hour, day or week: fine samples where they reach back
     * that far, the coarse ones before that, thinned to `TELEMETRY_MAX_POINTS`.
     */
    range(range: TelemetryRange): TelemetryResponse {
      const from = now() - TELEMETRY_RANGES[range];
      const inRange = <P extends { at: string }>(items: readonly P[]) => items.filter((item) => Date.parse(item.at) >= from);
      const fine = inRange(store.entries('points'));
      const fineFrom = fine[0] ? Date.parse(fine[0].at) : Number.POSITIVE_INFINITY;
      const coarse = inRange(store.entries('coarse')).filter((point) => Date.parse(point.at) < fineFrom);
      const oldest = [store.entries('coarse')[0], store.entries('points')[0]].filter((point) => point !== undefined).map((point) => point.at).sort()[0] ?? null;
      return { range, snapshots: thinPoints([...coarse, ...fine], TELEMETRY_MAX_POINTS), actions: inRange(store.entries('actions')), heldSince: oldest };
    },
    memoryStatus(): BufferStoreStatus<'points' | 'coarse' | 'actions'> {
      return store.memoryStatus();
    },
    start(): void {
      store.start();
    },
    stop(): void {
      store.stop();
    },
  };
}

export type Telemetry = ReturnType<typeof createTelemetry>;
