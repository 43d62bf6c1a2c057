import type { EventEmitter } from 'eventemitter3';
import { BufferStoreError, describeValue } from '../errors.js';
import { createBufferStore } from '../store.js';
import type { AddResult, BufferLimits, BufferStoreEvents, CheckReport, TimerOptions } from '../types.js';
import { utf8Length } from '../utf8.js';

const MIB = 1024 * 1024;

/** The capture server's thresholds: 20 / 50 / 100 MiB. */
export const GASOLINE_LIMITS: Readonly<BufferLimits> = Object.freeze({
  softBytes: 20 * MIB,
  hardBytes: 50 * MIB,
  criticalBytes: 100 * MIB,
});

/** Per-entry estimates: timestamps, ids and other fields around the payload. */
export const WEBSOCKET_OVERHEAD_BYTES = 200;
export const NETWORK_BODY_OVERHEAD_BYTES = 300;
export const ACTION_BYTES = 500;

/** A captured WebSocket frame or lifecycle event; only `data` is measured. */
export interface WebSocketEvent {
  data?: string | null;
}

/** A captured request/response pair; only the two bodies are measured. */
export interface NetworkBody {
  requestBody?: string | null;
  responseBody?: string | null;
}

/** The default entry types: the measured fields plus anything else the capture carries. */
type AnyWebSocketEvent = WebSocketEvent & Record<string, unknown>;
type AnyNetworkBody = NetworkBody & Record<string, unknown>;

export type GasolineBufferName = 'websocket' | 'networkBodies' | 'actions';

/** The seed server's memory report, field for field. */
export interface GasolineMemoryStatus {
  total_bytes: number;
  websocket_bytes: number;
  network_bytes: number;
  actions_bytes: number;
  soft_limit: number;
  hard_limit: number;
  critical_limit: number;
  minimal_mode: boolean;
  total_evictions: number;
  evicted_entries: number;
}

export interface GasolineStoreOptions extends TimerOptions {
  /** Defaults to {@link GASOLINE_LIMITS}; give any subset to override. */
  limits?: Partial<BufferLimits>;
  /** Default 1000. */
  cooldownMs?: number;
  /** Default 10 000. */
  checkIntervalMs?: number;
}

export interface GasolineStore<WS extends WebSocketEvent = AnyWebSocketEvent, NB extends NetworkBody = AnyNetworkBody, A = unknown> {
  readonly events: EventEmitter<BufferStoreEvents<GasolineBufferName>>;
  readonly limits: Readonly<BufferLimits>;
  /** Rejected whole while memory is exceeded. */
  addWebSocketEvents(events: readonly WS[]): AddResult;
  /** Rejected whole while memory is exceeded. */
  addNetworkBodies(bodies: readonly NB[]): AddResult;
  /** Always added. */
  addEnhancedActions(actions: readonly A[]): AddResult;
  /** The stored objects themselves, oldest first. */
  entries(name: 'websocket'): WS[];
  entries(name: 'networkBodies'): NB[];
  entries(name: 'actions'): A[];
  capacity(name: GasolineBufferName): number;
  isMemoryExceeded(): boolean;
  isMinimalMode(): boolean;
  /** Runs the enforcement now, as the periodic check does. */
  check(): CheckReport;
  /** Starts the periodic check (every 10 s by default; unref'd in Node). */
  start(): void;
  stop(): void;
  memoryStatus(): GasolineMemoryStatus;
}

/** UTF-8 length of a captured text field; absent and null count nothing, anything else is refused. */
function textBytes(value: unknown, field: string, kind: string): number {
  if (typeof value === 'string') return utf8Length(value);
  if (value === undefined || value === null) return 0;
  throw new BufferStoreError(`${kind} ${field} is ${describeValue(value)}; it must be a string, null or absent`, { code: 'GOV_RINGBUFFER_INVALID_ENTRY' });
}

function entryObject(value: unknown, kind: string, fields: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  throw new BufferStoreError(`a ${kind} must be an object (${fields}), got ${describeValue(value)}`, { code: 'GOV_RINGBUFFER_INVALID_ENTRY' });
}

/** UTF-8 length of `data`, without the per-entry overhead. */
function webSocketDataBytes(event: WebSocketEvent): number {
  return textBytes(entryObject(event, 'WebSocket event', 'with an optional string `data`').data, 'data', 'the WebSocket event’s');
}

/** UTF-8 lengths of both bodies, without the per-entry overhead. */
function networkBodiesBytes(body: NetworkBody): number {
  const record = entryObject(body, 'network body', 'with optional string `requestBody` and `responseBody`');
  return textBytes(record.requestBody, 'requestBody', 'the network body’s') + textBytes(record.responseBody, 'responseBody', 'the network body’s');
}

/**
 * What a WebSocket event counts for: UTF-8 length of `data` + 200.
 *
 * @throws {BufferStoreError} `GOV_RINGBUFFER_INVALID_ENTRY` for a non-object, or `data` that is neither a string, null nor absent.
 */
export function webSocketEventBytes(event: WebSocketEvent): number {
  return webSocketDataBytes(event) + WEBSOCKET_OVERHEAD_BYTES;
}

/**
 * What a network body counts for: UTF-8 lengths of both bodies + 300.
 *
 * @throws {BufferStoreError} `GOV_RINGBUFFER_INVALID_ENTRY` for a non-object, or a body that is neither a string, null nor absent.
 */
export function networkBodyBytes(body: NetworkBody): number {
  return networkBodiesBytes(body) + NETWORK_BODY_OVERHEAD_BYTES;
}

/**
 * The capture server of the memory-enforcement design as a ready store: `websocket` (500,
 * priority 1), `networkBodies` (100, priority 0, evicted first), `actions` (200 × 500 bytes,
 * priority 2); websocket events and network bodies are rejected while memory is exceeded.
 */
export function createGasolineStore<WS extends WebSocketEvent = AnyWebSocketEvent, NB extends NetworkBody = AnyNetworkBody, A = unknown>(
  options: GasolineStoreOptions = {},
): GasolineStore<WS, NB, A> {
  const store = createBufferStore<{ websocket: WS; networkBodies: NB; actions: A }>({
    buffers: {
      websocket: {
        capacity: 500,
        priority: 1,
        rejectWhenExceeded: true,
        sizeOf: webSocketDataBytes,
        overheadBytes: WEBSOCKET_OVERHEAD_BYTES,
      },
      networkBodies: {
        capacity: 100,
        priority: 0,
        rejectWhenExceeded: true,
        sizeOf: networkBodiesBytes,
        overheadBytes: NETWORK_BODY_OVERHEAD_BYTES,
      },
      actions: { capacity: 200, priority: 2, fixedBytes: ACTION_BYTES },
    },
    limits: { ...GASOLINE_LIMITS, ...options.limits },
    ...(options.cooldownMs === undefined ? {} : { cooldownMs: options.cooldownMs }),
    ...(options.checkIntervalMs === undefined ? {} : { checkIntervalMs: options.checkIntervalMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.setInterval === undefined ? {} : { setInterval: options.setInterval }),
    ...(options.clearInterval === undefined ? {} : { clearInterval: options.clearInterval }),
  });
  return {
    events: store.events,
    limits: store.limits,
    addWebSocketEvents: (events) => store.add('websocket', events),
    addNetworkBodies: (bodies) => store.add('networkBodies', bodies),
    addEnhancedActions: (actions) => store.add('actions', actions),
    entries: ((name: GasolineBufferName) => store.entries(name)) as GasolineStore<WS, NB, A>['entries'],
    capacity: (name) => store.capacity(name),
    isMemoryExceeded: () => store.isMemoryExceeded(),
    isMinimalMode: () => store.isMinimalMode(),
    check: () => store.check(),
    start: () => store.start(),
    stop: () => store.stop(),
    memoryStatus: () => {
      const status = store.memoryStatus();
      return {
        total_bytes: status.totalBytes,
        websocket_bytes: status.buffers.websocket.bytes,
        network_bytes: status.buffers.networkBodies.bytes,
        actions_bytes: status.buffers.actions.bytes,
        soft_limit: status.limits.softBytes,
        hard_limit: status.limits.hardBytes,
        critical_limit: status.limits.criticalBytes,
        minimal_mode: status.minimalMode,
        total_evictions: status.totalEvictions,
        evicted_entries: status.evictedEntries,
      };
    },
  };
}
