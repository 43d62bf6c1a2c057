import { EventEmitter } from 'eventemitter3';
import { BufferStoreError } from './errors.js';
import { Ring } from './ring.js';
import { startInterval } from './timers.js';
import type {
  AddResult,
  BufferEntries,
  BufferEvictionCount,
  BufferLimits,
  BufferSpec,
  BufferStatus,
  BufferStore,
  BufferStoreEvents,
  BufferStoreOptions,
  BufferStoreStatus,
  CheckReport,
  EnforcementLevel,
  IntervalHandle,
} from './types.js';

const DEFAULT_COOLDOWN_MS = 1_000;
const DEFAULT_CHECK_INTERVAL_MS = 10_000;
const SOFT_FIRST_RATIO = 0.25;
const SOFT_SECOND_RATIO = 0.5;
const HARD_RATIO = 0.5;

interface BufferState<T> {
  name: string;
  ring: Ring<T>;
  /** Capacity outside minimal mode. */
  baseCapacity: number;
  /** Bytes per entry, or -1 when measured by `sizeOf`. */
  fixedBytes: number;
  sizeOf: ((entry: T) => number) | undefined;
  overheadBytes: number;
  rejectWhenExceeded: boolean;
  evictedEntries: number;
  droppedEntries: number;
  rejectedEntries: number;
  /** Entries and bytes removed in the eviction cycle under way. */
  cycleEntries: number;
  cycleBytes: number;
}

/** Capacity in minimal mode: half, rounded down, never below one entry. */
function halve(capacity: number): number {
  return Math.max(1, Math.floor(capacity / 2));
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function validateOptions(options: BufferStoreOptions<BufferEntries>): string[] {
  const problems: string[] = [];
  const names = Object.keys(options.buffers ?? {});
  if (names.length === 0) problems.push('buffers: at least one buffer is needed');
  for (const name of names) {
    const spec = options.buffers[name] as BufferSpec<unknown>;
    if (!isPositiveInteger(spec.capacity)) problems.push(`buffers.${name}.capacity: ${String(spec.capacity)} is not a positive integer`);
    if (typeof spec.priority !== 'number' || !Number.isFinite(spec.priority)) {
      problems.push(`buffers.${name}.priority: ${String(spec.priority)} is not a finite number`);
    }
    const hasSizeOf = typeof spec.sizeOf === 'function';
    const hasFixed = spec.fixedBytes !== undefined;
    if (hasSizeOf === hasFixed) {
      problems.push(`buffers.${name}: give exactly one of sizeOf (with optional overheadBytes) or fixedBytes`);
    } else if (hasFixed && !(Number.isSafeInteger(spec.fixedBytes) && (spec.fixedBytes as number) >= 0)) {
      problems.push(`buffers.${name}.fixedBytes: ${String(spec.fixedBytes)} is not a non-negative integer`);
    }
    if (spec.overheadBytes !== undefined && !(Number.isSafeInteger(spec.overheadBytes) && spec.overheadBytes >= 0)) {
      problems.push(`buffers.${name}.overheadBytes: ${String(spec.overheadBytes)} is not a non-negative integer`);
    }
  }
  const limits = options.limits ?? ({} as Partial<BufferLimits>);
  for (const key of ['softBytes', 'hardBytes', 'criticalBytes'] as const) {
    if (!isPositiveInteger(limits[key])) problems.push(`limits.${key}: ${String(limits[key])} is not a positive integer`);
  }
  const { softBytes, hardBytes, criticalBytes } = limits;
  if (
    isPositiveInteger(softBytes) &&
    isPositiveInteger(hardBytes) &&
    isPositiveInteger(criticalBytes) &&
    !(softBytes <= hardBytes && hardBytes <= criticalBytes)
  ) {
    problems.push(
      `limits: softBytes ≤ hardBytes ≤ criticalBytes is required, got ${softBytes} / ${hardBytes} / ${criticalBytes}`,
    );
  }
  if (options.cooldownMs !== undefined && !isNonNegativeNumber(options.cooldownMs)) {
    problems.push(`cooldownMs: ${String(options.cooldownMs)} is not a non-negative number`);
  }
  if (options.checkIntervalMs !== undefined && !(isNonNegativeNumber(options.checkIntervalMs) && options.checkIntervalMs > 0)) {
    problems.push(`checkIntervalMs: ${String(options.checkIntervalMs)} is not a positive number`);
  }
  return problems;
}

function sizeProblem(name: string, raw: unknown): BufferStoreError {
  return new BufferStoreError(`buffers.${name}.sizeOf returned ${String(raw)}; sizes must be finite and non-negative`, {
    code: 'GOV_RINGBUFFER_INVALID_SIZE',
  });
}

class BufferStoreImpl<M extends BufferEntries> implements BufferStore<M> {
  readonly events = new EventEmitter<BufferStoreEvents<keyof M & string>>();
  readonly limits: Readonly<BufferLimits>;
  private readonly soft: number;
  private readonly hard: number;
  private readonly critical: number;
  private readonly cooldownMs: number;
  private readonly checkIntervalMs: number;
  private readonly now: () => number;
  private readonly setIntervalFn: ((callback: () => void, intervalMs: number) => IntervalHandle) | undefined;
  private readonly clearIntervalFn: ((handle: IntervalHandle) => void) | undefined;
  private readonly byName = new Map<string, BufferState<unknown>>();
  /** Buffers in declaration order. */
  private readonly declared: BufferState<unknown>[];
  /** Buffers in eviction order: priority ascending, then declaration order. */
  private readonly evictionOrder: BufferState<unknown>[];
  private total = 0;
  private exceeded = false;
  private minimal = false;
  private totalEvictions = 0;
  private evictedEntries = 0;
  private lastEvictionAt: number | null = null;
  private timer: IntervalHandle | null = null;
  /** Sizes of a multi-entry add, measured before anything is stored. */
  private scratch = new Float64Array(64);
  /** Set by each enforcement, read by `check()`. */
  private lastLevel: EnforcementLevel = 'none';
  private lastDeferred = false;
  /** The clock read once per enforcement (NaN until needed), so its events share one time. */
  private stamp = Number.NaN;

  constructor(options: BufferStoreOptions<M>) {
    const problems = validateOptions(options as BufferStoreOptions<BufferEntries>);
    if (problems.length > 0) {
      throw new BufferStoreError(`invalid buffer store options:\n  ${problems.join('\n  ')}`, {
        code: 'GOV_RINGBUFFER_INVALID_OPTIONS',
        problems,
      });
    }
    const { softBytes, hardBytes, criticalBytes } = options.limits;
    this.limits = Object.freeze({ softBytes, hardBytes, criticalBytes });
    this.soft = softBytes;
    this.hard = hardBytes;
    this.critical = criticalBytes;
    this.cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.setIntervalFn = options.setInterval;
    this.clearIntervalFn = options.clearInterval;
    for (const name of Object.keys(options.buffers)) {
      const spec = options.buffers[name] as BufferSpec<unknown>;
      this.byName.set(name, {
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
    const declared = [...this.byName.values()];
    this.declared = declared;
    this.evictionOrder = declared
      .map((state, index) => ({ state, index, priority: (options.buffers[state.name] as BufferSpec<unknown>).priority }))
      .sort((a, b) => a.priority - b.priority || a.index - b.index)
      .map(({ state }) => state);
  }

  add<K extends keyof M & string>(name: K, entries: readonly M[K][]): AddResult {
    const buffer = this.lookup(name) as BufferState<M[K]>;
    const evicted = this.enforce();
    const incoming = entries.length;
    if (buffer.rejectWhenExceeded && this.exceeded) {
      buffer.rejectedEntries += incoming;
      return { added: 0, rejected: incoming, evicted };
    }
    if (incoming === 1) {
      const entry = entries[0] as M[K];
      this.store(buffer, entry, this.measure(buffer, entry));
    } else if (incoming > 1) {
      // Measure everything first so a bad size rejects the whole add, not half of it.
      if (this.scratch.length < incoming) this.scratch = new Float64Array(Math.max(incoming, this.scratch.length * 2));
      const sizes = this.scratch;
      for (let i = 0; i < incoming; i += 1) sizes[i] = this.measure(buffer, entries[i] as M[K]);
      for (let i = 0; i < incoming; i += 1) this.store(buffer, entries[i] as M[K], sizes[i] as number);
    }
    return { added: incoming, rejected: 0, evicted };
  }

  entries<K extends keyof M & string>(name: K): M[K][] {
    return (this.lookup(name) as BufferState<M[K]>).ring.toArray();
  }

  count(name: keyof M & string): number {
    return this.lookup(name).ring.count;
  }

  bytes(name: keyof M & string): number {
    return this.lookup(name).ring.bytes;
  }

  capacity(name: keyof M & string): number {
    return this.lookup(name).ring.capacity;
  }

  totalBytes(): number {
    return this.total;
  }

  memoryStatus(): BufferStoreStatus<keyof M & string> {
    const buffers = {} as Record<string, BufferStatus>;
    for (const state of this.declared) {
      buffers[state.name] = {
        bytes: state.ring.bytes,
        count: state.ring.count,
        capacity: state.ring.capacity,
        evictedEntries: state.evictedEntries,
        droppedEntries: state.droppedEntries,
        rejectedEntries: state.rejectedEntries,
      };
    }
    return {
      totalBytes: this.total,
      limits: { softBytes: this.soft, hardBytes: this.hard, criticalBytes: this.critical },
      minimalMode: this.minimal,
      exceeded: this.exceeded,
      totalEvictions: this.totalEvictions,
      evictedEntries: this.evictedEntries,
      buffers: buffers as Record<keyof M & string, BufferStatus>,
    };
  }

  isMemoryExceeded(): boolean {
    return this.exceeded;
  }

  isMinimalMode(): boolean {
    return this.minimal;
  }

  check(): CheckReport {
    const totalBefore = this.total;
    const evictedEntries = this.enforce();
    return {
      level: this.lastLevel,
      evictedEntries,
      evictedBytes: totalBefore - this.total,
      totalBefore,
      totalAfter: this.total,
      exceeded: this.exceeded,
      deferred: this.lastDeferred,
    };
  }

  setCapacity(name: keyof M & string, capacity: number): number {
    const buffer = this.lookup(name);
    if (!isPositiveInteger(capacity)) {
      throw new BufferStoreError(`capacity ${String(capacity)} for buffer "${name}" is not a positive integer`, {
        code: 'GOV_RINGBUFFER_INVALID_OPTIONS',
      });
    }
    buffer.baseCapacity = capacity;
    const before = buffer.ring.bytes;
    const dropped = buffer.ring.resize(this.minimal ? halve(capacity) : capacity);
    this.total -= before - buffer.ring.bytes;
    buffer.droppedEntries += dropped;
    return dropped;
  }

  clear(name?: keyof M & string): number {
    const targets = name === undefined ? this.declared : [this.lookup(name)];
    let removed = 0;
    for (const buffer of targets) {
      removed += buffer.ring.count;
      this.total -= buffer.ring.clear();
    }
    return removed;
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = startInterval(() => this.check(), this.checkIntervalMs, this.setIntervalFn);
  }

  stop(): void {
    if (this.timer === null) return;
    (this.clearIntervalFn ?? globalThis.clearInterval)(this.timer as ReturnType<typeof setInterval>);
    this.timer = null;
  }

  private lookup(name: string): BufferState<unknown> {
    const buffer = this.byName.get(name);
    if (buffer === undefined) {
      throw new BufferStoreError(`unknown buffer "${name}"; this store has ${[...this.byName.keys()].join(', ')}`, {
        code: 'GOV_RINGBUFFER_UNKNOWN_BUFFER',
      });
    }
    return buffer;
  }

  private measure<T>(buffer: BufferState<T>, entry: T): number {
    if (buffer.fixedBytes >= 0) return buffer.fixedBytes;
    const raw = (buffer.sizeOf as (entry: T) => number)(entry);
    if (!(raw >= 0 && raw <= Number.MAX_SAFE_INTEGER)) throw sizeProblem(buffer.name, raw);
    return Math.ceil(raw) + buffer.overheadBytes;
  }

  private store<T>(buffer: BufferState<T>, entry: T, size: number): void {
    const dropped = buffer.ring.push(entry, size);
    if (dropped < 0) {
      this.total += size;
    } else {
      this.total += size - dropped;
      buffer.droppedEntries += 1;
    }
  }

  /** The enforcement contract; returns the entries it evicted. */
  private enforce(): number {
    const total = this.total;
    this.lastDeferred = false;
    this.stamp = Number.NaN;
    if (total <= this.soft) {
      this.lastLevel = 'none';
      if (this.exceeded) this.setExceeded(false);
      return 0;
    }
    if (total > this.critical) {
      this.lastLevel = 'critical';
      return this.clearAllForCritical();
    }
    if (total > this.hard) {
      this.lastLevel = 'hard';
      if (!this.exceeded) this.setExceeded(true);
      if (!this.cooldownAllows()) return 0;
      return this.evictionCycle('hard', HARD_RATIO, 0);
    }
    this.lastLevel = 'soft';
    if (this.exceeded) this.setExceeded(false);
    if (!this.cooldownAllows()) return 0;
    return this.evictionCycle('soft', SOFT_FIRST_RATIO, SOFT_SECOND_RATIO);
  }

  private clock(): number {
    if (Number.isNaN(this.stamp)) this.stamp = this.now();
    return this.stamp;
  }

  private cooldownAllows(): boolean {
    if (this.lastEvictionAt === null || this.clock() - this.lastEvictionAt >= this.cooldownMs) return true;
    this.lastDeferred = true;
    return false;
  }

  private evictionCycle(level: 'soft' | 'hard', firstRatio: number, secondRatio: number): number {
    const totalBefore = this.total;
    for (const buffer of this.evictionOrder) {
      buffer.cycleEntries = 0;
      buffer.cycleBytes = 0;
    }
    let removed = this.pass(firstRatio);
    if (secondRatio > 0 && this.total > this.soft) removed += this.pass(secondRatio);
    if (removed > 0) this.finishCycle(level, removed, totalBefore);
    return removed;
  }

  /** One pass: in priority order, while over soft, remove the oldest ceil(ratio × count) of each buffer. */
  private pass(ratio: number): number {
    let removed = 0;
    for (const buffer of this.evictionOrder) {
      if (this.total <= this.soft) break;
      const ring = buffer.ring;
      const n = Math.ceil(ratio * ring.count);
      if (n === 0) continue;
      const bytes = ring.removeOldest(n);
      this.total -= bytes;
      buffer.cycleEntries += n;
      buffer.cycleBytes += bytes;
      buffer.evictedEntries += n;
      removed += n;
    }
    return removed;
  }

  private clearAllForCritical(): number {
    const totalBefore = this.total;
    let removed = 0;
    for (const buffer of this.evictionOrder) {
      const n = buffer.ring.count;
      const bytes = buffer.ring.clear();
      this.total -= bytes;
      buffer.cycleEntries = n;
      buffer.cycleBytes = bytes;
      buffer.evictedEntries += n;
      removed += n;
    }
    const enteringMinimal = !this.minimal;
    if (enteringMinimal) {
      this.minimal = true;
      for (const buffer of this.evictionOrder) buffer.ring.resize(halve(buffer.baseCapacity));
    }
    const at = this.finishCycle('critical', removed, totalBefore);
    if (enteringMinimal && this.events.listenerCount('minimal-mode') > 0) {
      const capacities = {} as Record<string, number>;
      for (const state of this.declared) capacities[state.name] = state.ring.capacity;
      this.events.emit('minimal-mode', { capacities: capacities as Record<keyof M & string, number>, totalBefore, at });
    }
    if (this.exceeded) this.setExceeded(false);
    return removed;
  }

  private finishCycle(level: 'soft' | 'hard' | 'critical', removed: number, totalBefore: number): number {
    const at = this.clock();
    this.totalEvictions += 1;
    this.evictedEntries += removed;
    this.lastEvictionAt = at;
    if (this.events.listenerCount('evict') > 0) {
      const buffers = {} as Record<string, BufferEvictionCount>;
      for (const state of this.declared) buffers[state.name] = { entries: state.cycleEntries, bytes: state.cycleBytes };
      this.events.emit('evict', {
        level,
        buffers: buffers as Record<keyof M & string, BufferEvictionCount>,
        entries: removed,
        bytes: totalBefore - this.total,
        totalBefore,
        totalAfter: this.total,
        at,
      });
    }
    return at;
  }

  private setExceeded(exceeded: boolean): void {
    this.exceeded = exceeded;
    const event = { totalBytes: this.total, hardBytes: this.hard, at: this.clock() };
    this.events.emit(exceeded ? 'exceeded' : 'recovered', event);
  }
}

/**
 * Creates a store of named ring buffers held under a byte budget. Every add first runs the
 * enforcement (soft → evict oldest 25% then 50% by priority; hard → flag + 50%; critical → clear
 * all and halve capacities for good), and `start()` runs the same check periodically.
 *
 * @throws {BufferStoreError} `GOV_RINGBUFFER_INVALID_OPTIONS` listing every problem.
 */
export function createBufferStore<M extends BufferEntries>(options: BufferStoreOptions<M>): BufferStore<M> {
  return new BufferStoreImpl<M>(options);
}
