import type { TelemetryAction, TelemetryPoint } from '@gov/api';
import type { Snapshot } from '@gov/meminfo';
import { createBufferStore, type BufferStoreStatus } from '@gov/ringbuffer-evictor';

export interface TelemetryOptions {
  /** Samples kept; the default is a day at the default 30 s interval. */
  pointCapacity?: number;
  actionCapacity?: number;
  /** Byte budget of both buffers together (soft limit); hard is twice it, critical four times. */
  budgetBytes?: number;
  now?: () => number;
}

/** Bytes counted per sample: nine numbers and an ISO string, with object overhead. */
const POINT_BYTES = 256;
/** Per-entry overhead on top of an action's JSON length (UTF-16, two bytes a character). */
const ACTION_OVERHEAD_BYTES = 96;

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
  const budget = options.budgetBytes ?? 1024 * 1024;
  const store = createBufferStore<{ points: TelemetryPoint; actions: TelemetryAction }>({
    buffers: {
      // Samples go first under pressure: the actions are the rarer, more telling record.
      points: { capacity: options.pointCapacity ?? 2880, priority: 0, fixedBytes: POINT_BYTES },
      actions: { capacity: options.actionCapacity ?? 1000, priority: 1, sizeOf: (action) => JSON.stringify(action).length * 2, overheadBytes: ACTION_OVERHEAD_BYTES },
    },
    limits: { softBytes: budget, hardBytes: budget * 2, criticalBytes: budget * 4 },
    cooldownMs: 1000,
    checkIntervalMs: 60_000,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    store,
    recordSnapshot(snapshot: Snapshot): void {
      store.add('points', [toTelemetryPoint(snapshot)]);
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
    memoryStatus(): BufferStoreStatus<'points' | 'actions'> {
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
