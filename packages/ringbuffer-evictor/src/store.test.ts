import { describe, expect, it } from 'vitest';
import { BufferStoreError, createBufferStore } from './index.js';
import type { BufferStoreEvents, EvictEvent, ExceededEvent, MinimalModeEvent } from './index.js';

interface Item {
  id: number;
  bytes: number;
}

const item = (id: number, bytes = 100): Item => ({ id, bytes });
const items = (from: number, count: number, bytes = 100): Item[] => Array.from({ length: count }, (_, i) => item(from + i, bytes));
const ids = (list: Item[]): number[] => list.map((entry) => entry.id);

function createClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Two measured buffers and one fixed-size one, small limits so numbers stay readable. */
function createTestStore(overrides: { cooldownMs?: number; soft?: number; hard?: number; critical?: number } = {}) {
  const clock = createClock();
  const store = createBufferStore({
    buffers: {
      bulky: { capacity: 10, priority: 0, sizeOf: (entry: Item) => entry.bytes, overheadBytes: 0, rejectWhenExceeded: true },
      chatty: { capacity: 20, priority: 1, sizeOf: (entry: Item) => entry.bytes },
      notes: { capacity: 8, priority: 2, fixedBytes: 50 },
    },
    limits: { softBytes: overrides.soft ?? 1_000, hardBytes: overrides.hard ?? 2_000, criticalBytes: overrides.critical ?? 4_000 },
    cooldownMs: overrides.cooldownMs ?? 1_000,
    checkIntervalMs: 10_000,
    now: clock.now,
  });
  const events: { name: keyof BufferStoreEvents; event: EvictEvent | MinimalModeEvent | ExceededEvent }[] = [];
  store.events.on('evict', (event) => events.push({ name: 'evict', event }));
  store.events.on('minimal-mode', (event) => events.push({ name: 'minimal-mode', event }));
  store.events.on('exceeded', (event) => events.push({ name: 'exceeded', event }));
  store.events.on('recovered', (event) => events.push({ name: 'recovered', event }));
  return { store, clock, events };
}

describe('createBufferStore: storing', () => {
  it('keeps entries oldest first and counts bytes as sizeOf + overhead or the fixed size', () => {
    const { store } = createTestStore();
    expect(store.add('chatty', [item(1, 10), item(2, 20.2)])).toEqual({ added: 2, rejected: 0, evicted: 0 });
    store.add('notes', [{ text: 'a' }]);
    expect(ids(store.entries('chatty'))).toEqual([1, 2]);
    // sizes round up to whole bytes
    expect(store.bytes('chatty')).toBe(31);
    expect(store.bytes('notes')).toBe(50);
    expect(store.totalBytes()).toBe(81);
  });

  it('without sizeOf or fixedBytes: strings count their UTF-8 bytes, binary data its byteLength, other entries are refused', () => {
    const store = createBufferStore({
      buffers: { text: { capacity: 10, priority: 0 }, blobs: { capacity: 10, priority: 1, overheadBytes: 16 } },
      limits: { softBytes: 1_000, hardBytes: 2_000, criticalBytes: 4_000 },
    });
    store.add('text', ['héllo', '😀', '']);
    store.add('blobs', [new Uint8Array(100), new ArrayBuffer(7), new DataView(new ArrayBuffer(3))]);
    expect([store.bytes('text'), store.bytes('blobs')]).toEqual([10, 116 + 23 + 19]);
    expect(() => store.add('text', ['ok', { not: 'text' } as never])).toThrow(
      new BufferStoreError(
        'add to "text": entry 1 is an object; a buffer without sizeOf or fixedBytes measures strings (UTF-8 bytes) and binary data (byteLength) only — give the buffer a sizeOf for other entries (nothing of the add was stored)',
        { code: 'GOV_RINGBUFFER_INVALID_ENTRY' },
      ),
    );
    expect(store.count('text')).toBe(3);
  });

  it('returns the stored objects themselves', () => {
    const { store } = createTestStore();
    const entry = item(1);
    store.add('chatty', [entry]);
    expect(store.entries('chatty')[0]).toBe(entry);
  });

  it('drops the oldest past capacity without counting it as an eviction', () => {
    const { store, events } = createTestStore();
    store.add('notes', Array.from({ length: 11 }, (_, i) => ({ i })));
    expect(store.entries('notes')).toEqual([3, 4, 5, 6, 7, 8, 9, 10].map((i) => ({ i })));
    expect(store.memoryStatus()).toEqual({
      totalBytes: 400,
      limits: { softBytes: 1_000, hardBytes: 2_000, criticalBytes: 4_000 },
      minimalMode: false,
      exceeded: false,
      totalEvictions: 0,
      evictedEntries: 0,
      buffers: {
        bulky: { bytes: 0, count: 0, capacity: 10, evictedEntries: 0, droppedEntries: 0, rejectedEntries: 0 },
        chatty: { bytes: 0, count: 0, capacity: 20, evictedEntries: 0, droppedEntries: 0, rejectedEntries: 0 },
        notes: { bytes: 400, count: 8, capacity: 8, evictedEntries: 0, droppedEntries: 3, rejectedEntries: 0 },
      },
    });
    expect(events).toEqual([]);
  });

  it('rejects a whole add when one size is invalid and stores nothing of it', () => {
    const { store } = createTestStore();
    const add = () => store.add('chatty', [item(1, 10), item(2, Number.NaN)]);
    expect(add).toThrow(BufferStoreError);
    expect(add).toThrow('buffers.chatty.sizeOf returned NaN; sizes must be finite and non-negative');
    expect(() => store.add('chatty', [item(3, -1)])).toThrow(expect.objectContaining({ code: 'GOV_RINGBUFFER_INVALID_SIZE' }));
    expect(store.count('chatty')).toBe(0);
    expect(store.totalBytes()).toBe(0);
  });

  it('names the buffers it has when asked for one it does not', () => {
    const { store } = createTestStore();
    expect(() => store.count('missing' as 'notes')).toThrow(
      expect.objectContaining({ code: 'GOV_RINGBUFFER_UNKNOWN_BUFFER', message: 'unknown buffer "missing"; this store has bulky, chatty, notes' }),
    );
  });

  it('reports every invalid option at once', () => {
    let caught: unknown;
    try {
      createBufferStore({
        buffers: {
          a: { capacity: 0, priority: 0, fixedBytes: 10 },
          b: { capacity: 5, priority: Number.NaN, sizeOf: (x: string) => x.length, fixedBytes: 3 } as never,
        },
        limits: { softBytes: 300, hardBytes: 200, criticalBytes: 400 },
        cooldownMs: -1,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BufferStoreError);
    expect((caught as BufferStoreError).problems).toEqual([
      'buffers.a.capacity: 0 is not a positive integer',
      'buffers.b.priority: NaN is not a finite number',
      'buffers.b: give sizeOf (with optional overheadBytes) or fixedBytes, not both',
      'limits: softBytes ≤ hardBytes ≤ criticalBytes is required, got 300 / 200 / 400',
      'cooldownMs: -1 is not a non-negative number',
    ]);
  });

  it('setCapacity shrinks by dropping the oldest and keeps the totals right', () => {
    const { store } = createTestStore();
    store.add('chatty', items(1, 6, 10));
    expect(store.setCapacity('chatty', 4)).toBe(2);
    expect(ids(store.entries('chatty'))).toEqual([3, 4, 5, 6]);
    expect(store.totalBytes()).toBe(40);
    store.add('chatty', items(7, 2, 10));
    expect(ids(store.entries('chatty'))).toEqual([5, 6, 7, 8]);
    expect(store.setCapacity('chatty', 30)).toBe(0);
    store.add('chatty', items(9, 2, 10));
    expect(ids(store.entries('chatty'))).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('clear empties buffers without counting evictions', () => {
    const { store } = createTestStore();
    store.add('chatty', items(1, 3));
    store.add('notes', [{}]);
    expect(store.clear('chatty')).toBe(3);
    expect(store.totalBytes()).toBe(50);
    expect(store.clear()).toBe(1);
    expect(store.memoryStatus().totalEvictions).toBe(0);
  });
});

describe('createBufferStore: the enforcement contract', () => {
  it('does nothing at or under the soft limit', () => {
    const { store, events } = createTestStore();
    store.add('chatty', items(1, 10, 100));
    expect(store.totalBytes()).toBe(1_000);
    expect(store.check()).toEqual({
      level: 'none',
      evictedEntries: 0,
      evictedBytes: 0,
      totalBefore: 1_000,
      totalAfter: 1_000,
      exceeded: false,
      deferred: false,
    });
    expect(events).toEqual([]);
  });

  it('over soft: a 25% pass in priority order that stops once back under soft', () => {
    const { store, events } = createTestStore();
    store.add('bulky', items(1, 4, 100)); // 400, priority 0
    store.add('chatty', items(11, 8, 100)); // 800, priority 1
    // 1 200 > 1 000: bulky loses ceil(0.25 × 4) = 1 (→ 1 100), chatty ceil(0.25 × 8) = 2 (→ 900)
    expect(store.add('notes', [{}])).toEqual({ added: 1, rejected: 0, evicted: 3 });
    expect(ids(store.entries('bulky'))).toEqual([2, 3, 4]);
    expect(ids(store.entries('chatty'))).toEqual([13, 14, 15, 16, 17, 18]);
    expect(events).toEqual([
      {
        name: 'evict',
        event: {
          level: 'soft',
          buffers: { bulky: { entries: 1, bytes: 100 }, chatty: { entries: 2, bytes: 200 }, notes: { entries: 0, bytes: 0 } },
          entries: 3,
          bytes: 300,
          totalBefore: 1_200,
          totalAfter: 900,
          at: 1_000_000,
        },
      },
    ]);
    expect(store.memoryStatus()).toMatchObject({ totalBytes: 950, totalEvictions: 1, evictedEntries: 3 });
  });

  it('over soft after the 25% pass: a second pass at 50% in the same cycle', () => {
    const { store, events } = createTestStore();
    store.add('notes', items(1, 4)); // 200
    store.add('bulky', items(1, 4, 300)); // 1 200 → 1 400, enforced only before the add
    const report = store.check();
    // pass 25%: bulky −1 (1 100), notes −1 (1 050); pass 50%: bulky ceil(1.5)=2 → 450
    expect(report).toEqual({
      level: 'soft',
      evictedEntries: 4,
      evictedBytes: 950,
      totalBefore: 1_400,
      totalAfter: 450,
      exceeded: false,
      deferred: false,
    });
    expect(ids(store.entries('bulky'))).toEqual([4]);
    expect(store.count('notes')).toBe(3);
    expect(events).toHaveLength(1);
    expect(store.memoryStatus()).toMatchObject({ totalEvictions: 1, evictedEntries: 4 });
  });

  it('over hard: sets the flag, one 50% pass, rejects marked kinds, accepts others', () => {
    const { store, events } = createTestStore();
    store.add('chatty', items(1, 20, 110)); // 2 200 > hard
    const result = store.add('bulky', [item(100, 10)]);
    // bulky is empty; chatty loses ceil(0.5 × 20) = 10 → 1 100
    expect(result).toEqual({ added: 0, rejected: 1, evicted: 10 });
    expect(store.isMemoryExceeded()).toBe(true);
    expect(ids(store.entries('chatty'))).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(store.add('notes', [{}])).toEqual({ added: 1, rejected: 0, evicted: 0 });
    // the add to notes enforced again: 1 100 is under hard, so the flag cleared
    expect(events.map((entry) => entry.name)).toEqual(['exceeded', 'evict', 'recovered']);
    expect(events[0]).toEqual({ name: 'exceeded', event: { totalBytes: 2_200, hardBytes: 2_000, at: 1_000_000 } });
    expect(store.memoryStatus().buffers.bulky.rejectedEntries).toBe(1);
  });

  it('clears the flag on the next enforcement under hard and says so', () => {
    const { store, events } = createTestStore();
    store.add('chatty', items(1, 20, 110));
    store.check();
    expect(store.isMemoryExceeded()).toBe(true);
    // 1 100 now: between soft and hard, cooldown still running
    expect(store.check()).toMatchObject({ level: 'soft', exceeded: false, deferred: true, evictedEntries: 0 });
    expect(events.at(-1)).toEqual({ name: 'recovered', event: { totalBytes: 1_100, hardBytes: 2_000, at: 1_000_000 } });
    expect(store.add('bulky', [item(1, 10)])).toEqual({ added: 1, rejected: 0, evicted: 0 });
  });

  it('keeps the flag while over hard during the cooldown, evicting nothing', () => {
    const { store, clock } = createTestStore();
    store.add('chatty', items(1, 20, 110));
    store.check(); // evicts 10 → 1 100
    store.add('notes', items(1, 8)); // 1 500
    store.add('chatty', items(21, 10, 110)); // 2 600 (chatty now 20 × 110 = 2 200 + 400)
    clock.advance(999);
    expect(store.check()).toMatchObject({ level: 'hard', evictedEntries: 0, exceeded: true, deferred: true });
    clock.advance(1);
    // 50%: chatty −10 (1 500, still over soft) then notes −4 (1 300)
    expect(store.check()).toMatchObject({ level: 'hard', evictedEntries: 14, exceeded: true, deferred: false });
    expect(store.memoryStatus().totalEvictions).toBe(2);
  });

  it('an add that would go over critical: clears everything first, halves capacities for good, ignores the cooldown', () => {
    const { store, events, clock } = createTestStore();
    store.add('chatty', items(1, 20, 110)); // 2 200
    clock.advance(10);
    // enforced at 2 200: flag set, 50% evicted (a cycle: the cooldown runs); then the 10 × 330 go in,
    // and the 9th would take the total to 4 070: everything is cleared before it is stored
    expect(store.add('chatty', items(21, 10, 330))).toEqual({ added: 10, rejected: 0, evicted: 28 });
    expect(store.totalBytes()).toBe(660);
    expect(ids(store.entries('chatty'))).toEqual([29, 30]);
    expect(events).toEqual([
      { name: 'exceeded', event: { totalBytes: 2_200, hardBytes: 2_000, at: 1_000_010 } },
      {
        name: 'evict',
        event: {
          level: 'hard',
          buffers: { bulky: { entries: 0, bytes: 0 }, chatty: { entries: 10, bytes: 1_100 }, notes: { entries: 0, bytes: 0 } },
          entries: 10,
          bytes: 1_100,
          totalBefore: 2_200,
          totalAfter: 1_100,
          at: 1_000_010,
        },
      },
      {
        name: 'evict',
        event: {
          level: 'critical',
          buffers: { bulky: { entries: 0, bytes: 0 }, chatty: { entries: 18, bytes: 3_740 }, notes: { entries: 0, bytes: 0 } },
          entries: 18,
          bytes: 3_740,
          totalBefore: 3_740,
          totalAfter: 0,
          at: 1_000_010,
        },
      },
      { name: 'minimal-mode', event: { capacities: { bulky: 5, chatty: 10, notes: 4 }, totalBefore: 3_740, at: 1_000_010 } },
      { name: 'recovered', event: { totalBytes: 0, hardBytes: 2_000, at: 1_000_010 } },
    ]);
    expect(store.isMinimalMode()).toBe(true);
    expect(store.memoryStatus()).toMatchObject({ totalEvictions: 2, evictedEntries: 28, minimalMode: true, exceeded: false });
    store.add('notes', items(1, 6));
    expect(store.count('notes')).toBe(4);
    expect(store.capacity('chatty')).toBe(10);
  });

  it('a second critical clear keeps capacities at half, not a quarter', () => {
    const { store } = createTestStore({ cooldownMs: 0 });
    store.add('chatty', items(1, 2, 2_500)); // the second would reach 5 000: critical clear, then stored
    store.add('chatty', items(3, 2, 2_500)); // 2 500 is over hard: 50% pass; then again a critical clear before the second
    expect(store.capacity('chatty')).toBe(10);
    expect(store.memoryStatus()).toMatchObject({ totalEvictions: 3, evictedEntries: 3, totalBytes: 2_500 });
  });

  it('setCapacity in minimal mode applies half of the new capacity', () => {
    const { store } = createTestStore();
    store.add('chatty', items(1, 2, 2_500));
    expect(store.isMinimalMode()).toBe(true);
    store.setCapacity('chatty', 12);
    expect(store.capacity('chatty')).toBe(6);
  });
});

describe('createBufferStore: the periodic check', () => {
  it('runs check every checkIntervalMs on an unref’d timer until stopped', () => {
    const clock = createClock();
    const timers: { callback: () => void; intervalMs: number; unrefs: number; cleared: boolean }[] = [];
    const store = createBufferStore({
      buffers: { log: { capacity: 100, priority: 0, sizeOf: (line: string) => line.length } },
      limits: { softBytes: 10, hardBytes: 20, criticalBytes: 40 },
      cooldownMs: 0,
      checkIntervalMs: 5_000,
      now: clock.now,
      setInterval: (callback, intervalMs) => {
        const timer = { callback, intervalMs, unrefs: 0, cleared: false, unref: () => (timer.unrefs += 1) };
        timers.push(timer);
        return timer;
      },
      clearInterval: (handle) => {
        (handle as { cleared: boolean }).cleared = true;
      },
    });
    store.start();
    store.start();
    expect(timers.map(({ intervalMs, unrefs, cleared }) => ({ intervalMs, unrefs, cleared }))).toEqual([
      { intervalMs: 5_000, unrefs: 1, cleared: false },
    ]);
    store.add('log', ['0123456789', 'abcd']);
    timers[0]!.callback();
    expect(store.entries('log')).toEqual(['abcd']);
    store.stop();
    expect(timers[0]!.cleared).toBe(true);
  });
});
