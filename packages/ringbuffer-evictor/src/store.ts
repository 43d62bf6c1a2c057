import { EventEmitter } from 'eventemitter3';
import { dispatchIsolated, type DispatchTarget } from './dispatch.js';
import { BufferStoreError, describeName, invalidOptions } from './errors.js';
import { bufferStatuses, capacities, createBufferStates, cycleCounts, halve, type BufferState } from './buffer-state.js';
import { measureEntries } from './measure.js';
import { isPositiveInteger, validateOptions } from './options.js';
import { startInterval } from './timers.js';
import type * as T from './types.js';

const DEFAULT_COOLDOWN_MS = 1_000;
const DEFAULT_CHECK_INTERVAL_MS = 10_000;
const SOFT_FIRST_RATIO = 0.25;
const SOFT_SECOND_RATIO = 0.5;
const HARD_RATIO = 0.5;
/**
 * Slots of evicted entries an add releases per entry it brings. An eviction pass inside an add
 * only unlinks the entries (O(1)); their slots are released this many at a time by the adds that
 * follow, so the cost of evicting thousands of entries is spread instead of paid by one add.
 */
const RELEASE_PER_ENTRY = 32;

type Level = Exclude<T.EnforcementLevel, 'none'>;

class BufferStoreImpl<M extends T.BufferEntries> implements T.BufferStore<M> {
  readonly events = new EventEmitter<T.BufferStoreEvents<keyof M & string>>();
  readonly limits: Readonly<T.BufferLimits>;
  private readonly soft: number;
  private readonly hard: number;
  private readonly critical: number;
  private readonly cooldownMs: number;
  private readonly checkIntervalMs: number;
  private readonly now: () => number;
  private readonly setIntervalFn: T.TimerOptions['setInterval'];
  private readonly clearIntervalFn: T.TimerOptions['clearInterval'];
  private readonly states: Map<string, BufferState<unknown>>;
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
  private timer: T.IntervalHandle | null = null;
  /** Set by each enforcement, read by `check()`. */
  private lastLevel: T.EnforcementLevel = 'none';
  private lastDeferred = false;
  /** The clock read once per enforcement (NaN until needed), so its events share one time. */
  private stamp = Number.NaN;
  /** Some ring holds evicted entries not yet released. */
  private releasing = false;
  /** Events of the operation under way, delivered once it has finished changing the store. */
  private queued: [event: string, payload: unknown][] = [];

  constructor(options: T.BufferStoreOptions<M>) {
    const problems = validateOptions(options);
    if (problems.length > 0) throw invalidOptions('buffer store', problems);
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
    const { byName, declared, evictionOrder } = createBufferStates(options.buffers as Record<string, T.BufferSpec<unknown>>);
    this.states = byName;
    this.declared = declared;
    this.evictionOrder = evictionOrder;
  }

  add<K extends keyof M & string>(name: K, entries: readonly M[K][]): T.AddResult {
    const buffer = this.lookup(name) as BufferState<M[K]>;
    // Measured before anything changes, so a bad entry rejects the whole add and nothing else.
    const sizes = measureEntries(buffer, entries, this.critical);
    let evicted = this.enforce();
    const incoming = entries.length;
    const rejected = buffer.rejectWhenExceeded && this.exceeded;
    if (rejected) {
      buffer.rejectedEntries += incoming;
    } else {
      for (let i = 0; i < incoming; i += 1) {
        const size = typeof sizes === 'number' ? sizes : (sizes[i] as number);
        // The critical limit holds per entry: when one would take the total over it, the critical
        // response runs first (the entry itself always fits: it was measured against the limit).
        if (this.total + size - buffer.ring.wouldDrop() > this.critical) evicted += this.clearAllForCritical(this.total);
        this.store(buffer, entries[i] as M[K], size);
      }
    }
    if (this.releasing) this.release(RELEASE_PER_ENTRY * Math.max(1, incoming));
    this.deliver();
    return rejected ? { added: 0, rejected: incoming, evicted } : { added: incoming, rejected: 0, evicted };
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

  memoryStatus(): T.BufferStoreStatus<keyof M & string> {
    return {
      totalBytes: this.total,
      limits: { softBytes: this.soft, hardBytes: this.hard, criticalBytes: this.critical },
      minimalMode: this.minimal,
      exceeded: this.exceeded,
      totalEvictions: this.totalEvictions,
      evictedEntries: this.evictedEntries,
      buffers: bufferStatuses(this.declared) as Record<keyof M & string, T.BufferStatus>,
    };
  }

  isMemoryExceeded(): boolean {
    return this.exceeded;
  }

  isMinimalMode(): boolean {
    return this.minimal;
  }

  check(): T.CheckReport {
    const totalBefore = this.total;
    const evictedEntries = this.enforce();
    // The periodic check is where a store that stopped taking adds lets go of everything evicted.
    if (this.releasing) this.release(Number.POSITIVE_INFINITY);
    const report: T.CheckReport = {
      level: this.lastLevel,
      evictedEntries,
      evictedBytes: totalBefore - this.total,
      totalBefore,
      totalAfter: this.total,
      exceeded: this.exceeded,
      deferred: this.lastDeferred,
    };
    this.deliver();
    return report;
  }

  setCapacity(name: keyof M & string, capacity: number): number {
    const buffer = this.lookup(name);
    if (!isPositiveInteger(capacity)) {
      throw new BufferStoreError(`capacity ${String(capacity)} for buffer ${describeName(name)} is not a positive integer`, {
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
    const buffer = typeof name === 'string' ? this.states.get(name) : undefined;
    if (buffer === undefined) {
      throw new BufferStoreError(`unknown buffer ${describeName(name)}; this store has ${[...this.states.keys()].join(', ')}`, {
        code: 'GOV_RINGBUFFER_UNKNOWN_BUFFER',
      });
    }
    return buffer;
  }

  private store<E>(buffer: BufferState<E>, entry: E, size: number): void {
    const dropped = buffer.ring.push(entry, size);
    if (dropped < 0) {
      this.total += size;
    } else {
      this.total += size - dropped;
      buffer.droppedEntries += 1;
    }
  }

  /** Releases up to `max` slots of evicted entries, buffers in eviction order. */
  private release(max: number): void {
    let budget = max;
    let pending = false;
    for (const buffer of this.evictionOrder) {
      if (budget > 0) budget -= buffer.ring.release(budget);
      if (buffer.ring.pendingRelease > 0) pending = true;
    }
    this.releasing = pending;
  }

  private queue(event: string, payload: unknown): void {
    if (this.events.listenerCount(event as 'evict') > 0) this.queued.push([event, payload]);
  }

  /** Hands the queued events to their listeners; none of them can undo or interrupt the work. */
  private deliver(): void {
    if (this.queued.length === 0) return;
    const queued = this.queued;
    this.queued = [];
    for (const [event, payload] of queued) dispatchIsolated(this.events as unknown as DispatchTarget, event, payload);
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
      return this.clearAllForCritical(total);
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
    if (this.lastEvictionAt === null) return true;
    const elapsed = this.clock() - this.lastEvictionAt;
    // A clock that went back (or is not a number) must not hold eviction off until it catches up.
    if (elapsed >= this.cooldownMs || !(elapsed >= 0)) return true;
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

  /** One pass: in priority order, while over soft, remove the oldest ceil(ratio × count) of each. */
  private pass(ratio: number): number {
    let removed = 0;
    for (const buffer of this.evictionOrder) {
      if (this.total <= this.soft) break;
      const ring = buffer.ring;
      const n = Math.ceil(ratio * ring.count);
      if (n === 0) continue;
      const bytes = ring.removeOldest(n);
      this.releasing = true;
      this.total -= bytes;
      buffer.cycleEntries += n;
      buffer.cycleBytes += bytes;
      buffer.evictedEntries += n;
      removed += n;
    }
    return removed;
  }

  /** The critical response: every buffer cleared, minimal mode for good. */
  private clearAllForCritical(totalBefore: number): number {
    this.stamp = Number.NaN;
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
    if (enteringMinimal) this.queue('minimal-mode', { capacities: capacities(this.declared), totalBefore, at });
    if (this.exceeded) this.setExceeded(false);
    return removed;
  }

  private finishCycle(level: Level, removed: number, totalBefore: number): number {
    const at = this.clock();
    this.totalEvictions += 1;
    this.evictedEntries += removed;
    this.lastEvictionAt = at;
    if (this.events.listenerCount('evict') > 0) {
      const buffers = cycleCounts(this.declared);
      this.queue('evict', { level, buffers, entries: removed, bytes: totalBefore - this.total, totalBefore, totalAfter: this.total, at });
    }
    return at;
  }

  private setExceeded(exceeded: boolean): void {
    this.exceeded = exceeded;
    this.queue(exceeded ? 'exceeded' : 'recovered', { totalBytes: this.total, hardBytes: this.hard, at: this.clock() });
  }
}

/**
 * Creates a store of named ring buffers held under a byte budget. Every add first runs the
 * enforcement (soft → evict oldest 25% then 50% by priority; hard → flag + 50%; critical → clear
 * all and halve capacities for good), and `start()` runs the same check periodically. No add
 * takes the total over the critical limit: an entry that would runs the critical response first.
 *
 * @throws {BufferStoreError} `GOV_RINGBUFFER_INVALID_OPTIONS` listing every problem.
 */
export function createBufferStore<M extends T.BufferEntries>(options: T.BufferStoreOptions<M>): T.BufferStore<M> {
  return new BufferStoreImpl<M>(options);
}
