import type { SizeRule } from './measure.js';
import { Ring } from './ring.js';
import type { BufferEvictionCount, BufferSpec, BufferStatus } from './types.js';

/** One buffer of a store: its ring, its size rule and its counters. */
export interface BufferState<E> extends SizeRule<E> {
  name: string;
  ring: Ring<E>;
  /** Capacity outside minimal mode. */
  baseCapacity: number;
  rejectWhenExceeded: boolean;
  evictedEntries: number;
  droppedEntries: number;
  rejectedEntries: number;
  /** Entries and bytes removed in the eviction cycle under way. */
  cycleEntries: number;
  cycleBytes: number;
}

/** The buffers of a store, by name, in declaration order, and in eviction order. */
export interface BufferStates {
  byName: Map<string, BufferState<unknown>>;
  declared: BufferState<unknown>[];
  /** Priority ascending, then declaration order. */
  evictionOrder: BufferState<unknown>[];
}

/** Capacity in minimal mode: half, rounded down, never below one entry. */
export function halve(capacity: number): number {
  return Math.max(1, Math.floor(capacity / 2));
}

/** Builds the buffers from validated specs. */
export function createBufferStates(specs: Record<string, BufferSpec<unknown>>): BufferStates {
  const byName = new Map<string, BufferState<unknown>>();
  for (const name of Object.keys(specs)) {
    const spec = specs[name] as BufferSpec<unknown>;
    byName.set(name, {
      name,
      ring: new Ring<unknown>(spec.capacity),
      baseCapacity: spec.capacity,
      fixedBytes: spec.fixedBytes ?? -1,
      sizeOf: spec.sizeOf,
      overheadBytes: spec.overheadBytes ?? 0,
      rejectWhenExceeded: spec.rejectWhenExceeded === true,
      evictedEntries: 0,
      droppedEntries: 0,
      rejectedEntries: 0,
      cycleEntries: 0,
      cycleBytes: 0,
    });
  }
  const declared = [...byName.values()];
  const evictionOrder = declared
    .map((state, index) => ({ state, index, priority: (specs[state.name] as BufferSpec<unknown>).priority }))
    .sort((a, b) => a.priority - b.priority || a.index - b.index)
    .map(({ state }) => state);
  return { byName, declared, evictionOrder };
}

/** A record keyed by buffer name with no prototype, so names like `__proto__` are plain keys. */
function recordByName<V>(states: readonly BufferState<unknown>[], read: (state: BufferState<unknown>) => V): Record<string, V> {
  const record = Object.create(null) as Record<string, V>;
  for (const state of states) record[state.name] = read(state);
  return record;
}

export function bufferStatuses(states: readonly BufferState<unknown>[]): Record<string, BufferStatus> {
  return recordByName(states, (state) => ({
    bytes: state.ring.bytes,
    count: state.ring.count,
    capacity: state.ring.capacity,
    evictedEntries: state.evictedEntries,
    droppedEntries: state.droppedEntries,
    rejectedEntries: state.rejectedEntries,
  }));
}

export function cycleCounts(states: readonly BufferState<unknown>[]): Record<string, BufferEvictionCount> {
  return recordByName(states, (state) => ({ entries: state.cycleEntries, bytes: state.cycleBytes }));
}

export function capacities(states: readonly BufferState<unknown>[]): Record<string, number> {
  return recordByName(states, (state) => state.ring.capacity);
}
