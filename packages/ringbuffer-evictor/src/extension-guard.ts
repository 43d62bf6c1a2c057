import { BufferStoreError } from './errors.js';
import { Ring } from './ring.js';
import { startInterval } from './timers.js';
import type { IntervalHandle, TimerOptions } from './types.js';

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
  const softBytes = options.softBytes ?? 20 * MIB;
  const hardBytes = options.hardBytes ?? 50 * MIB;
  const intervalMs = options.intervalMs ?? 30_000;
  const problems: string[] = [];
  const names = Object.keys(options.buffers) as Name[];
  for (const name of names) {
    const spec = options.buffers[name];
    if (!(Number.isSafeInteger(spec.capacity) && spec.capacity > 0)) problems.push(`buffers.${name}.capacity: ${spec.capacity} is not a positive integer`);
    if (!(Number.isFinite(spec.averageEntryBytes) && spec.averageEntryBytes >= 0)) {
      problems.push(`buffers.${name}.averageEntryBytes: ${spec.averageEntryBytes} is not a non-negative number`);
    }
  }
  if (!names.includes(options.networkBuffer)) problems.push(`networkBuffer: "${options.networkBuffer}" is not one of the buffers`);
  if (!(softBytes > 0 && softBytes <= hardBytes)) problems.push(`softBytes ≤ hardBytes is required, got ${softBytes} / ${hardBytes}`);
  if (!(intervalMs > 0)) problems.push(`intervalMs: ${intervalMs} is not a positive number`);
  if (problems.length > 0) {
    throw new BufferStoreError(`invalid extension guard options:\n  ${problems.join('\n  ')}`, {
      code: 'GOV_RINGBUFFER_INVALID_OPTIONS',
      problems,
    });
  }

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
      throw new BufferStoreError(`unknown buffer "${name}"; this guard has ${names.join(', ')}`, { code: 'GOV_RINGBUFFER_UNKNOWN_BUFFER' });
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
    const capacities = {} as Record<Name, number>;
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
