import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createBufferStore } from './index.js';
import type { EvictEvent } from './index.js';
import { Ring } from './ring.js';
import { portableUtf8Length, utf8Length } from './utf8.js';

interface Entry {
  id: number;
  size: number;
}

const NAMES = ['a', 'b', 'c'] as const;
type Name = (typeof NAMES)[number];

type Op =
  | { kind: 'add'; name: Name; sizes: number[] }
  | { kind: 'check' }
  | { kind: 'advance'; ms: number }
  | { kind: 'setCapacity'; name: Name; capacity: number }
  | { kind: 'clear'; name: Name };

interface Setup {
  buffers: { capacity: number; priority: number; rejectWhenExceeded: boolean }[];
  soft: number;
  hardExtra: number;
  criticalExtra: number;
  cooldownMs: number;
}

const setupArb: fc.Arbitrary<Setup> = fc.record({
  buffers: fc.array(
    fc.record({ capacity: fc.integer({ min: 1, max: 24 }), priority: fc.integer({ min: 0, max: 3 }), rejectWhenExceeded: fc.boolean() }),
    { minLength: 3, maxLength: 3 },
  ),
  soft: fc.integer({ min: 1, max: 2_000 }),
  hardExtra: fc.integer({ min: 0, max: 2_000 }),
  criticalExtra: fc.integer({ min: 0, max: 4_000 }),
  cooldownMs: fc.integer({ min: 0, max: 2_000 }),
});

const nameArb = fc.constantFrom(...NAMES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), name: nameArb, sizes: fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('check' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1_500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setCapacity' as const), name: nameArb, capacity: fc.integer({ min: 1, max: 24 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), name: nameArb }) },
);

/** The enforcement contract written as plainly as possible, on arrays, to compare against. */
class ReferenceStore {
  readonly buffers: { name: Name; base: number; capacity: number; priority: number; reject: boolean; order: number; items: Entry[] }[];
  exceeded = false;
  minimal = false;
  totalEvictions = 0;
  evictedEntries = 0;
  lastEvictionAt: number | null = null;

  constructor(
    setup: Setup,
    private readonly limits: { soft: number; hard: number; critical: number; cooldownMs: number },
    private readonly clock: () => number,
  ) {
    this.buffers = NAMES.map((name, order) => {
      const spec = setup.buffers[order]!;
      return { name, base: spec.capacity, capacity: spec.capacity, priority: spec.priority, reject: spec.rejectWhenExceeded, order, items: [] };
    });
  }

  total(): number {
    return this.buffers.reduce((sum, buffer) => sum + buffer.items.reduce((s, item) => s + item.size, 0), 0);
  }

  /** The critical response: everything cleared, capacities halved for good. */
  clearAll(): number {
    let removed = 0;
    for (const buffer of this.buffers) {
      removed += buffer.items.length;
      buffer.items = [];
    }
    if (!this.minimal) {
      this.minimal = true;
      for (const buffer of this.buffers) buffer.capacity = Math.max(1, Math.floor(buffer.base / 2));
    }
    this.exceeded = false;
    return removed;
  }

  countCycle(removed: number): number {
    if (removed > 0) {
      this.totalEvictions += 1;
      this.evictedEntries += removed;
      this.lastEvictionAt = this.clock();
    }
    return removed;
  }

  enforce(): number {
    const { soft, hard, critical } = this.limits;
    const total = this.total();
    const cooldownAllows = () => this.lastEvictionAt === null || this.clock() - this.lastEvictionAt >= this.limits.cooldownMs;
    let removed = 0;
    const pass = (ratio: number) => {
      const ordered = [...this.buffers].sort((x, y) => x.priority - y.priority || x.order - y.order);
      for (const buffer of ordered) {
        if (this.total() <= soft) break;
        const n = Math.ceil(ratio * buffer.items.length);
        buffer.items.splice(0, n);
        removed += n;
      }
    };
    if (total > critical) {
      removed = this.clearAll();
    } else if (total > hard) {
      this.exceeded = true;
      if (cooldownAllows()) pass(0.5);
    } else {
      this.exceeded = false;
      if (total > soft && cooldownAllows()) {
        pass(0.25);
        if (this.total() > soft) pass(0.5);
      }
    }
    return this.countCycle(removed);
  }

  /** Throws like the store for an entry over critical by itself; otherwise what the add returns. */
  add(name: Name, entries: Entry[]): { added: number; rejected: number; evicted: number } | 'too large' {
    if (entries.some((entry) => entry.size > this.limits.critical)) return 'too large';
    const buffer = this.buffers.find((candidate) => candidate.name === name)!;
    let evicted = this.enforce();
    if (buffer.reject && this.exceeded) return { added: 0, rejected: entries.length, evicted };
    for (const entry of entries) {
      const dropped = buffer.items.length >= buffer.capacity ? buffer.items[0]!.size : 0;
      if (this.total() + entry.size - dropped > this.limits.critical) evicted += this.countCycle(this.clearAll());
      buffer.items.push(entry);
      if (buffer.items.length > buffer.capacity) buffer.items.splice(0, buffer.items.length - buffer.capacity);
    }
    return { added: entries.length, rejected: 0, evicted };
  }

  setCapacity(name: Name, capacity: number): void {
    const buffer = this.buffers.find((candidate) => candidate.name === name)!;
    buffer.base = capacity;
    buffer.capacity = this.minimal ? Math.max(1, Math.floor(capacity / 2)) : capacity;
    if (buffer.items.length > buffer.capacity) buffer.items.splice(0, buffer.items.length - buffer.capacity);
  }
}

describe('createBufferStore: properties', () => {
  it('matches the plain reference model, keeps running totals exact, capacity and critical never exceeded, not even inside an add', () => {
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { maxLength: 60 }), (setup, ops) => {
        let now = 0;
        const limits = { soft: setup.soft, hard: setup.soft + setup.hardExtra, critical: setup.soft + setup.hardExtra + setup.criticalExtra };
        const store = createBufferStore<Record<Name, Entry>>({
          buffers: {
            a: { ...setup.buffers[0]!, sizeOf: (entry: Entry) => entry.size },
            b: { ...setup.buffers[1]!, sizeOf: (entry: Entry) => entry.size },
            c: { ...setup.buffers[2]!, sizeOf: (entry: Entry) => entry.size },
          },
          limits: { softBytes: limits.soft, hardBytes: limits.hard, criticalBytes: limits.critical },
          cooldownMs: setup.cooldownMs,
          now: () => now,
        });
        const model = new ReferenceStore(setup, { ...limits, cooldownMs: setup.cooldownMs }, () => now);
        const evictions: EvictEvent[] = [];
        store.events.on('evict', (event) => evictions.push(event));
        let nextId = 0;

        for (const op of ops) {
          switch (op.kind) {
            case 'add': {
              const entries = op.sizes.map((size) => ({ id: nextId++, size }));
              const expected = model.add(op.name, entries);
              if (expected === 'too large') {
                expect(() => store.add(op.name, entries)).toThrow(expect.objectContaining({ code: 'GOV_RINGBUFFER_ENTRY_TOO_LARGE' }));
              } else {
                expect(store.add(op.name, entries)).toEqual(expected);
              }
              expect(store.totalBytes()).toBeLessThanOrEqual(limits.critical);
              break;
            }
            case 'check': {
              const report = store.check();
              expect(report.evictedEntries).toBe(model.enforce());
              expect(report.totalAfter).toBeLessThanOrEqual(limits.critical);
              break;
            }
            case 'advance':
              now += op.ms;
              break;
            case 'setCapacity':
              store.setCapacity(op.name, op.capacity);
              model.setCapacity(op.name, op.capacity);
              break;
            case 'clear':
              store.clear(op.name);
              model.buffers.find((buffer) => buffer.name === op.name)!.items = [];
              break;
          }
          let recomputed = 0;
          for (const buffer of model.buffers) {
            const stored = store.entries(buffer.name);
            expect(stored).toEqual(buffer.items);
            expect(store.count(buffer.name)).toBeLessThanOrEqual(store.capacity(buffer.name));
            expect(store.capacity(buffer.name)).toBe(buffer.capacity);
            const bytes = stored.reduce((sum, entry) => sum + entry.size, 0);
            expect(store.bytes(buffer.name)).toBe(bytes);
            recomputed += bytes;
          }
          expect(store.totalBytes()).toBe(recomputed);
          expect(store.memoryStatus()).toMatchObject({
            totalBytes: recomputed,
            exceeded: model.exceeded,
            minimalMode: model.minimal,
            totalEvictions: model.totalEvictions,
            evictedEntries: model.evictedEntries,
          });
        }
        for (const event of evictions) expect(event.totalAfter).toBeLessThanOrEqual(limits.critical);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('rounds fractional sizes up, so running sums stay exact integers', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 50 }), fc.integer({ min: 1, max: 20 }), (sizes, capacity) => {
        const store = createBufferStore({
          buffers: { only: { capacity, priority: 0, sizeOf: (size: number) => size, overheadBytes: 7 } },
          limits: { softBytes: 1e12, hardBytes: 1e12, criticalBytes: 1e12 },
        });
        store.add('only', sizes);
        const kept = sizes.slice(-capacity);
        expect(store.totalBytes()).toBe(kept.reduce((sum, size) => sum + Math.ceil(size) + 7, 0));
      }),
    );
  });
});

describe('Ring: slots are released as entries leave', () => {
  it('references only the entries it holds plus those awaiting release, whatever the sequence; running totals stay exact', () => {
    const ringOp = fc.oneof(
      // Sizes up to 2^47 push the running total past 2^53 within a run, so the rebase is exercised.
      fc.record({ kind: fc.constant('push' as const), size: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(2 ** 47)) }),
      fc.record({ kind: fc.constant('remove' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('release' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('resize' as const), capacity: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(ringOp, { maxLength: 300 }), (capacity, ops) => {
        const ring = new Ring<Entry>(capacity);
        let model: Entry[] = [];
        let cap = capacity;
        let id = 0;
        let removedSoFar = 0;
        for (const op of ops) {
          if (op.kind === 'push') {
            const entry = { id: id++, size: op.size };
            const expectedDrop = model.length === cap ? model[0]!.size : -1;
            expect(ring.wouldDrop()).toBe(Math.max(0, expectedDrop));
            expect(ring.push(entry, op.size)).toBe(expectedDrop);
            model.push(entry);
            if (model.length > cap) model.shift();
          } else if (op.kind === 'remove') {
            const removing = model.slice(0, op.n);
            expect(ring.removeOldest(op.n)).toBe(removing.reduce((sum, entry) => sum + entry.size, 0));
            model.splice(0, op.n);
            removedSoFar += removing.length;
          } else if (op.kind === 'release') {
            ring.release(op.n);
          } else if (op.kind === 'resize') {
            ring.resize(op.capacity);
            cap = op.capacity;
            if (model.length > cap) model = model.slice(model.length - cap);
            expect(ring.pendingRelease).toBe(0);
          } else {
            ring.clear();
            model = [];
            expect(ring.pendingRelease).toBe(0);
          }
          expect(ring.toArray()).toEqual(model);
          expect(ring.sizesInOrder()).toEqual(model.map((entry) => entry.size));
          expect(ring.bytes).toBe(model.reduce((sum, entry) => sum + entry.size, 0));
          expect(ring.referencedSlots()).toBe(model.length + ring.pendingRelease);
          expect(ring.pendingRelease).toBeLessThanOrEqual(removedSoFar);
          expect(ring.capacity).toBe(cap);
        }
        ring.releaseAll();
        expect(ring.referencedSlots()).toBe(model.length);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe.each([
  ['utf8Length (Node: Buffer.byteLength)', utf8Length],
  ['portableUtf8Length (browsers)', portableUtf8Length],
])('%s', (_name, count) => {
  it('counts lone surrogates as U+FFFD (3 bytes) and pairs as 4', () => {
    expect([count('\ud800'), count('a\udc00b'), count('😀'), count('\ud83d\ud83d'), count('é'.repeat(40)), count('')]).toEqual([3, 5, 4, 6, 80, 0]);
  });

  it('agrees with TextEncoder on long text that crosses the scratch buffer, pairs at every offset', () => {
    const encoder = new TextEncoder();
    for (let offset = 0; offset < 4; offset += 1) {
      const text = 'a'.repeat(offset) + '😀é€x'.repeat(20_000) + '\ud800';
      expect(count(text)).toBe(encoder.encode(text).length);
    }
    const ascii = 'plain ascii '.repeat(10_000);
    expect(count(ascii)).toBe(ascii.length);
  });

  it('agrees with TextEncoder on any string, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ unit: 'binary', minLength: 60, maxLength: 300 }),
          fc.string({ minLength: 64, maxLength: 300 }),
        ),
        (text) => {
          expect(count(text)).toBe(encoder.encode(text).length);
        },
      ),
      { numRuns: 500 },
    );
  }, 120_000);
});

describe('utf8Length in Node', () => {
  it('asks Buffer.byteLength, the native count', () => {
    const byteLength = vi.spyOn(Buffer, 'byteLength');
    expect(utf8Length('héllo')).toBe(6);
    expect(byteLength.mock.calls).toEqual([['héllo']]);
  });
});
