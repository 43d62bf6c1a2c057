import { BufferStoreError, describeName, describeValue, invalidOptions } from '../errors.js';
import { intervalProblem, isNonNegativeNumber, isPositiveInteger } from '../options.js';
import { Ring } from '../ring.js';
import { startInterval } from '../timers.js';
import type { IntervalHandle, TimerOptions } from '../types.js';

const MIB = 1024 * 1024;

export interface ExtensionBufferSpec {
  capacity: number;
  /** The size each entry is assumed to take; the estimate is count × this. */
  averageEntryBytes: number;
}

export type ExtensionPressureLevel = 'normal' | 'soft' | 'hard';

export interface ExtensionGuardOptions<Name extends string> extends Omit<TimerOptions, 'now'> {
  buffers: Record<Name, ExtensionBufferSpec>;
  /** The buffer of captured network bodies: cleared, and closed to adds, above the hard limit. */
  networkBuffer: NoInfer<Name>;
  /** Above this estimate, capacities are halved. Default 20 MiB. */
  softBytes?: number;
  /** Above this estimate, network-body capture stops and its buffer is cleared. Default 50 MiB. */
  hardBytes?: number;
  /** Default 30 000. */
  intervalMs?: number;
}

export interface ExtensionCheck<Name extends string> {
  level: ExtensionPressureLevel;
  estimatedBytes: number;
  networkCaptureEnabled: boolean;
  capacities: Record<Name, number>;
  /** Entries dropped by halving capacities plus those cleared from the network buffer. */
  removedEntries: number;
}

export interface ExtensionGuard<Name extends string, Entry = unknown> {
  /** Appends (dropping the oldest past capacity); returns how many were taken, 0 while network capture is off. */
  add(name: Name, entries: readonly Entry[]): number;
  entries(name: Name): Entry[];
  capacity(name: Name): number;
  /** Σ count × averageEntryBytes. */
  estimateBytes(): number;
  level(): ExtensionPressureLevel;
  isNetworkCaptureEnabled(): boolean;
  /** Estimates and applies the level now, as the periodic check does. */
  check(): ExtensionCheck<Name>;
  /** Starts the periodic check (every 30 s by default; unref'd in Node). */
  start(): void;
  stop(): void;
}

interface GuardedBuffer<Entry> {
  ring: Ring<Entry>;
  baseCapacity: number;
  averageEntryBytes: number;
}

const DEFAULT_SOFT_BYTES = 20 * MIB;
const DEFAULT_HARD_BYTES = 50 * MIB;
const DEFAULT_INTERVAL_MS = 30_000;

function validateGuardOptions<Name extends string>(options: ExtensionGuardOptions<Name>): string[] {
  if (typeof options !== 'object' || options === null) return [`options: ${describeValue(options)} is not an object with buffers and networkBuffer`];
  if (typeof options.buffers !== 'object' || options.buffers === null) return [`buffers: ${describeValue(options.buffers)} is not an object of buffer specs`];
  const problems: string[] = [];
  const names = Object.keys(options.buffers) as Name[];
  for (const name of names) {
    const spec = options.buffers[name] as Partial<ExtensionBufferSpec> | null;
    if (typeof spec !== 'object' || spec === null) {
      problems.push(`buffers.${name}: ${describeValue(spec)} is not { capacity, averageEntryBytes }`);
      continue;
    }
    if (!isPositiveInteger(spec.capacity)) problems.push(`buffers.${name}.capacity: ${describeValue(spec.capacity)} is not a positive integer`);
    if (!isNonNegativeNumber(spec.averageEntryBytes)) {
      problems.push(`buffers.${name}.averageEntryBytes: ${describeValue(spec.averageEntryBytes)} is not a non-negative number`);
    }
  }
  if (!names.includes(options.networkBuffer)) problems.push(`networkBuffer: ${describeName(options.networkBuffer)} is not one of the buffers`);
  const softBytes = options.softBytes ?? DEFAULT_SOFT_BYTES;
  const hardBytes = options.hardBytes ?? DEFAULT_HARD_BYTES;
  if (!(isNonNegativeNumber(softBytes) && softBytes > 0 && isNonNegativeNumber(hardBytes) && softBytes <= hardBytes)) {
    problems.push(`softBytes ≤ hardBytes is required, got ${describeValue(softBytes)} / ${describeValue(hardBytes)}`);
  }
  const intervalError = intervalProblem('intervalMs', options.intervalMs ?? DEFAULT_INTERVAL_MS);
  if (intervalError !== null) problems.push(intervalError);
  return problems;
}

/**
 * The capture side's own memory guard: it holds the capture buffers and, every 30 s, estimates
 * their memory as count × average entry size. Above the soft limit capacities are halved; above
 * the hard limit network-body capture is disabled and that buffer cleared. Each check re-derives
 * the level from the estimate, so capacities and capture come back once the estimate is back
 * under the limits.
 */
export function createExtensionGuard<Name extends string, Entry = unknown>(
  options: ExtensionGuardOptions<Name>,
): ExtensionGuard<Name, Entry> {
  const problems = validateGuardOptions(options);
  if (problems.length > 0) throw invalidOptions('extension guard', problems);
  const softBytes = options.softBytes ?? DEFAULT_SOFT_BYTES;
  const hardBytes = options.hardBytes ?? DEFAULT_HARD_BYTES;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const names = Object.keys(options.buffers) as Name[];

  const buffers = new Map<Name, GuardedBuffer<Entry>>();
  for (const name of names) {
    const spec = options.buffers[name];
    buffers.set(name, { ring: new Ring<Entry>(spec.capacity), baseCapacity: spec.capacity, averageEntryBytes: spec.averageEntryBytes });
  }
  let level: ExtensionPressureLevel = 'normal';
  let timer: IntervalHandle | null = null;

  const lookup = (name: Name): GuardedBuffer<Entry> => {
    const buffer = buffers.get(name);
    if (buffer === undefined) {
      throw new BufferStoreError(`unknown buffer ${describeName(name)}; this guard has ${names.join(', ')}`, { code: 'GOV_RINGBUFFER_UNKNOWN_BUFFER' });
    }
    return buffer;
  };

  const estimateBytes = (): number => {
    let bytes = 0;
    for (const buffer of buffers.values()) bytes += buffer.ring.count * buffer.averageEntryBytes;
    return bytes;
  };

  const check = (): ExtensionCheck<Name> => {
    const estimatedBytes = estimateBytes();
    level = estimatedBytes > hardBytes ? 'hard' : estimatedBytes > softBytes ? 'soft' : 'normal';
    let removedEntries = 0;
    // No prototype, so a buffer named `__proto__` is a plain key like any other.
    const capacities = Object.create(null) as Record<Name, number>;
    for (const [name, buffer] of buffers) {
      const capacity = level === 'normal' ? buffer.baseCapacity : Math.max(1, Math.floor(buffer.baseCapacity / 2));
      if (capacity !== buffer.ring.capacity) removedEntries += buffer.ring.resize(capacity);
      capacities[name] = capacity;
    }
    if (level === 'hard') {
      const network = lookup(options.networkBuffer).ring;
      removedEntries += network.count;
      network.clear();
    }
    return { level, estimatedBytes, networkCaptureEnabled: level !== 'hard', capacities, removedEntries };
  };

  return {
    add(name, entries) {
      const buffer = lookup(name);
      if (!Array.isArray(entries)) {
        throw new BufferStoreError(`add to ${describeName(name)}: entries must be an array, got ${describeValue(entries)}`, { code: 'GOV_RINGBUFFER_INVALID_ENTRY' });
      }
      if (level === 'hard' && name === options.networkBuffer) return 0;
      for (const entry of entries) buffer.ring.push(entry, 0);
      return entries.length;
    },
    entries: (name) => lookup(name).ring.toArray(),
    capacity: (name) => lookup(name).ring.capacity,
    estimateBytes,
    level: () => level,
    isNetworkCaptureEnabled: () => level !== 'hard',
    check,
    start() {
      if (timer === null) timer = startInterval(check, intervalMs, options.setInterval);
    },
    stop() {
      if (timer === null) return;
      (options.clearInterval ?? globalThis.clearInterval)(timer as ReturnType<typeof setInterval>);
      timer = null;
    },
  };
}
