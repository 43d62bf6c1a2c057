import type { EventEmitter } from 'eventemitter3';
import type { BufferStoreError } from './errors.js';

/** Byte thresholds, checked in this order: critical, hard, soft (each must be ≤ the next). */
export interface BufferLimits {
  /** Above this, a pass evicts the oldest 25% (then 50%) until the total is back under it. */
  softBytes: number;
  /** Above this, the exceeded flag is set (rejecting kinds marked `rejectWhenExceeded`) and a pass evicts 50%. */
  hardBytes: number;
  /** Above this, every buffer is cleared and the store enters minimal mode for good. */
  criticalBytes: number;
}

interface BufferSpecBase {
  /** Most entries the ring holds; appending past it drops the oldest (a drop, not an eviction). */
  capacity: number;
  /** Lower evicts first. Ties keep declaration order. */
  priority: number;
  /** While the exceeded flag is set, an add to this buffer is rejected whole. */
  rejectWhenExceeded?: boolean;
}

/**
 * Size from the entry: `sizeOf(entry)` (rounded up) plus a fixed per-entry overhead. Without
 * `sizeOf`, strings count their UTF-8 length and binary data (`ArrayBuffer`, typed arrays,
 * `DataView`) its `byteLength`; any other entry is refused with `GOV_RINGBUFFER_INVALID_ENTRY`.
 */
export interface MeasuredBufferSpec<T> extends BufferSpecBase {
  sizeOf?: (entry: T) => number;
  overheadBytes?: number;
  fixedBytes?: undefined;
}

/** Every entry is counted as the same number of bytes. */
export interface FixedBufferSpec extends BufferSpecBase {
  fixedBytes: number;
  sizeOf?: undefined;
  overheadBytes?: undefined;
}

export type BufferSpec<T> = MeasuredBufferSpec<T> | FixedBufferSpec;

/** The kind of entry each named buffer holds. */
export type BufferEntries = Record<string, unknown>;

/** A host timer handle: a number in browsers, an object with `unref()` in Node. */
export type IntervalHandle = unknown;

export interface TimerOptions {
  /** Milliseconds clock; default `Date.now`. */
  now?: () => number;
  /** Default `globalThis.setInterval`; the handle is `unref()`'d where it can be. */
  setInterval?: (callback: () => void, intervalMs: number) => IntervalHandle;
  /** Default `globalThis.clearInterval`. */
  clearInterval?: (handle: IntervalHandle) => void;
}

export interface BufferStoreOptions<M extends BufferEntries> extends TimerOptions {
  /** One spec per buffer, keyed by the buffer's name. */
  buffers: { [K in keyof M]: BufferSpec<M[K]> };
  limits: BufferLimits;
  /** Least time between two eviction cycles (the critical clear ignores it). Default 1000. */
  cooldownMs?: number;
  /** Period of the background check started by `start()`. Default 10 000. */
  checkIntervalMs?: number;
}

export type EnforcementLevel = 'none' | 'soft' | 'hard' | 'critical';

/** What an add did. `evicted` counts entries the enforcement run before it removed. */
export interface AddResult {
  added: number;
  rejected: number;
  evicted: number;
}

export interface BufferEvictionCount {
  entries: number;
  bytes: number;
}

export interface EvictEvent<Name extends string = string> {
  level: Exclude<EnforcementLevel, 'none'>;
  /** Per buffer: entries and bytes removed in this cycle (zero for buffers not reached). */
  buffers: Record<Name, BufferEvictionCount>;
  entries: number;
  bytes: number;
  totalBefore: number;
  totalAfter: number;
  at: number;
}

export interface MinimalModeEvent<Name extends string = string> {
  /** The halved capacities now in force. */
  capacities: Record<Name, number>;
  totalBefore: number;
  at: number;
}

export interface ExceededEvent {
  totalBytes: number;
  hardBytes: number;
  at: number;
}

export interface BufferStoreEvents<Name extends string = string> {
  evict: (event: EvictEvent<Name>) => void;
  'minimal-mode': (event: MinimalModeEvent<Name>) => void;
  exceeded: (event: ExceededEvent) => void;
  recovered: (event: ExceededEvent) => void;
  /**
   * A listener of another event threw (`GOV_RINGBUFFER_LISTENER_FAILED`, the thrown value as
   * `cause`). The store has finished its work by then; with no `error` listener the error is
   * rethrown in a microtask, as an uncaught exception.
   */
  error: (error: BufferStoreError) => void;
}

export interface CheckReport {
  level: EnforcementLevel;
  evictedEntries: number;
  evictedBytes: number;
  totalBefore: number;
  totalAfter: number;
  /** The exceeded flag after the check. */
  exceeded: boolean;
  /** A pass was due but the cooldown held it back. */
  deferred: boolean;
}

export interface BufferStatus {
  bytes: number;
  count: number;
  capacity: number;
  evictedEntries: number;
  droppedEntries: number;
  rejectedEntries: number;
}

export interface BufferStoreStatus<Name extends string = string> {
  totalBytes: number;
  limits: BufferLimits;
  minimalMode: boolean;
  exceeded: boolean;
  /** Eviction cycles run (each enforcement that removed anything is one). */
  totalEvictions: number;
  /** Entries removed by eviction over the store's life (ring drops are not evictions). */
  evictedEntries: number;
  buffers: Record<Name, BufferStatus>;
}

export interface BufferStore<M extends BufferEntries> {
  /** Typed events: `evict`, `minimal-mode`, `exceeded`, `recovered`. */
  readonly events: EventEmitter<BufferStoreEvents<keyof M & string>>;
  readonly limits: Readonly<BufferLimits>;
  /** Enforces, then appends the entries (oldest first) or rejects them whole. */
  add<K extends keyof M & string>(name: K, entries: readonly M[K][]): AddResult;
  /** The stored entries themselves, oldest first, in a new array. */
  entries<K extends keyof M & string>(name: K): M[K][];
  count(name: keyof M & string): number;
  bytes(name: keyof M & string): number;
  /** Current capacity (halved in minimal mode). */
  capacity(name: keyof M & string): number;
  /** Running total over every buffer: O(1). */
  totalBytes(): number;
  /** O(number of buffers), whatever the number of entries. */
  memoryStatus(): BufferStoreStatus<keyof M & string>;
  isMemoryExceeded(): boolean;
  isMinimalMode(): boolean;
  /** Runs the enforcement now, as the periodic check does. */
  check(): CheckReport;
  /**
   * Sets a buffer's capacity (in minimal mode the halved value applies); shrinking drops the
   * oldest entries. Returns how many were dropped.
   */
  setCapacity(name: keyof M & string, capacity: number): number;
  /** Empties one buffer, or all; not counted as eviction. Returns the entries removed. */
  clear(name?: keyof M & string): number;
  /** Starts the periodic check (idempotent). */
  start(): void;
  stop(): void;
}
