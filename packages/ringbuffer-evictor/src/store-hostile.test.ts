import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGasolineStore } from './gasoline/index.js';
import { BufferStoreError, createBufferStore } from './index.js';
import type { BufferStoreEvents, EvictEvent } from './index.js';

// Regressions found by probing the store with hostile input: sizes, names, limits, listeners.

const MIB = 1024 * 1024;

interface Sized {
  id: number;
  bytes: number;
}

/** One buffer measured by a size on the entry, under 20 / 50 / 100 MiB, no cooldown. */
function createSizedStore(names: readonly string[] = ['bodies']) {
  return createBufferStore<Record<string, Sized>>({
    buffers: Object.fromEntries(names.map((name) => [name, { capacity: 100, priority: 0, sizeOf: (entry: Sized) => entry.bytes }])),
    limits: { softBytes: 20 * MIB, hardBytes: 50 * MIB, criticalBytes: 100 * MIB },
    cooldownMs: 0,
  });
}

const sized = (from: number, count: number, bytes: number): Sized[] => Array.from({ length: count }, (_, i) => ({ id: from + i, bytes }));

function thrownBy(action: () => unknown): BufferStoreError {
  try {
    action();
  } catch (error) {
    if (error instanceof BufferStoreError) return error;
    throw new Error(`expected a BufferStoreError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a BufferStoreError, nothing was thrown');
}

describe('the critical limit holds through every add', () => {
  it('refuses one entry larger than the critical limit, storing nothing and evicting nothing', () => {
    const store = createSizedStore();
    store.add('bodies', sized(1, 3, MIB));
    const error = thrownBy(() => store.add('bodies', [{ id: 4, bytes: 120 * MIB }]));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'GOV_RINGBUFFER_ENTRY_TOO_LARGE',
      message:
        'add to "bodies": entry 0 counts 125829120 bytes, more than the critical limit (104857600); an entry must fit under criticalBytes by itself (nothing of the add was stored)',
    });
    expect(store.memoryStatus()).toMatchObject({ totalBytes: 3 * MIB, minimalMode: false, totalEvictions: 0 });
    expect(store.entries('bodies').map((entry) => entry.id)).toEqual([1, 2, 3]);
  });

  it('a batch of 10 × 30 MiB: the critical response runs before each entry that would cross, the newest entry is kept', () => {
    const store = createSizedStore();
    const evictions: EvictEvent[] = [];
    store.events.on('evict', (event) => evictions.push(event));
    expect(store.add('bodies', sized(1, 10, 30 * MIB))).toEqual({ added: 10, rejected: 0, evicted: 9 });
    expect(store.totalBytes()).toBe(30 * MIB);
    expect(store.entries('bodies').map((entry) => entry.id)).toEqual([10]);
    expect(store.isMinimalMode()).toBe(true);
    expect(evictions.map(({ level, entries, totalBefore, totalAfter }) => ({ level, entries, totalBefore, totalAfter }))).toEqual([
      { level: 'critical', entries: 3, totalBefore: 90 * MIB, totalAfter: 0 },
      { level: 'critical', entries: 3, totalBefore: 90 * MIB, totalAfter: 0 },
      { level: 'critical', entries: 3, totalBefore: 90 * MIB, totalAfter: 0 },
    ]);
  });

  it('the capture preset refuses a 120-byte body against a 100-byte critical limit', () => {
    const capture = createGasolineStore({ limits: { softBytes: 20, hardBytes: 50, criticalBytes: 1_000 } });
    const error = thrownBy(() => capture.addNetworkBodies([{ responseBody: 'x'.repeat(900) }]));
    expect(error.code).toBe('GOV_RINGBUFFER_ENTRY_TOO_LARGE');
    expect(capture.memoryStatus()).toMatchObject({ total_bytes: 0, network_bytes: 0, minimal_mode: false });
  });

  it('an entry that only fits because the full ring drops its oldest does not trigger the critical response', () => {
    const store = createBufferStore({
      buffers: { only: { capacity: 2, priority: 0, sizeOf: (entry: Sized) => entry.bytes } },
      limits: { softBytes: 100, hardBytes: 100, criticalBytes: 100 },
      cooldownMs: 0,
    });
    store.add('only', [{ id: 1, bytes: 60 }, { id: 2, bytes: 30 }]);
    // 90 + 60 would be 150, but the push drops entry 1 (60): 90 stays under critical
    expect(store.add('only', [{ id: 3, bytes: 60 }])).toEqual({ added: 1, rejected: 0, evicted: 0 });
    expect(store.memoryStatus()).toMatchObject({ totalBytes: 90, minimalMode: false });
  });
});

describe('buffer names are plain keys', () => {
  it('a buffer named __proto__ (or constructor) shows in memoryStatus and in events', () => {
    const buffers = JSON.parse('{"__proto__":{"capacity":4,"priority":0,"fixedBytes":10},"constructor":{"capacity":4,"priority":1,"fixedBytes":10}}');
    const store = createBufferStore<Record<'__proto__' | 'constructor', object>>({ buffers, limits: { softBytes: 30, hardBytes: 60, criticalBytes: 100 }, cooldownMs: 0 });
    const evictions: EvictEvent[] = [];
    store.events.on('evict', (event) => evictions.push(event));
    store.add('__proto__', [{}, {}, {}, {}]);
    store.add('constructor', [{}]);
    const status = store.memoryStatus();
    expect(Object.keys(status.buffers)).toEqual(['__proto__', 'constructor']);
    expect(status.buffers.__proto__).toEqual({ bytes: 30, count: 3, capacity: 4, evictedEntries: 1, droppedEntries: 0, rejectedEntries: 0 });
    expect(Object.keys(evictions[0]!.buffers)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(status.buffers))).toEqual(
      JSON.parse('{"__proto__":{"bytes":30,"count":3,"capacity":4,"evictedEntries":1,"droppedEntries":0,"rejectedEntries":0},"constructor":{"bytes":10,"count":1,"capacity":4,"evictedEntries":0,"droppedEntries":0,"rejectedEntries":0}}'),
    );
  });

  it('an unknown name that is not a string is a typed error, not a TypeError', () => {
    const store = createSizedStore();
    const error = thrownBy(() => store.add(Symbol('bodies') as unknown as string, []));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'GOV_RINGBUFFER_UNKNOWN_BUFFER',
      message: 'unknown buffer Symbol(bodies) (a symbol); this store has bodies',
    });
  });
});

describe('sizes and entries the store cannot count are typed errors', () => {
  const cases: [string, unknown, string][] = [
    ['a bigint', 5n, 'buffers.bodies.sizeOf returned 5n (a bigint); sizes must be finite and non-negative numbers (entry 0 of the add; nothing of it was stored)'],
    ['NaN', Number.NaN, 'buffers.bodies.sizeOf returned NaN; sizes must be finite and non-negative numbers (entry 0 of the add; nothing of it was stored)'],
    ['a numeric string', '12', 'buffers.bodies.sizeOf returned "12"; sizes must be finite and non-negative numbers (entry 0 of the add; nothing of it was stored)'],
    ['a symbol', Symbol('n'), 'buffers.bodies.sizeOf returned Symbol(n) (a symbol); sizes must be finite and non-negative numbers (entry 0 of the add; nothing of it was stored)'],
    ['an object without a prototype', Object.create(null), 'buffers.bodies.sizeOf returned an object; sizes must be finite and non-negative numbers (entry 0 of the add; nothing of it was stored)'],
    ['-1', -1, 'buffers.bodies.sizeOf returned -1; sizes must be finite and non-negative numbers (entry 0 of the add; nothing of it was stored)'],
  ];
  it.each(cases)('sizeOf returning %s', (_label, raw, message) => {
    const store = createBufferStore({
      buffers: { bodies: { capacity: 10, priority: 0, sizeOf: () => raw as number } },
      limits: { softBytes: 100, hardBytes: 200, criticalBytes: 400 },
    });
    const error = thrownBy(() => store.add('bodies', [{}]));
    expect({ code: error.code, message: error.message }).toEqual({ code: 'GOV_RINGBUFFER_INVALID_SIZE', message });
    expect(store.totalBytes()).toBe(0);
  });

  it('a null WebSocket event or network body names what a capture entry must be', () => {
    const capture = createGasolineStore();
    const event = thrownBy(() => capture.addWebSocketEvents([{ data: 'ok' }, null as never]));
    expect({ code: event.code, message: event.message }).toEqual({
      code: 'GOV_RINGBUFFER_INVALID_ENTRY',
      message: 'buffers.websocket.sizeOf refused entry 1 of the add: a WebSocket event must be an object (with an optional string `data`), got null (nothing of it was stored)',
    });
    expect(event.cause).toMatchObject({ code: 'GOV_RINGBUFFER_INVALID_ENTRY' });
    const body = thrownBy(() => capture.addNetworkBodies([{ responseBody: { huge: true } as never }]));
    expect(body.message).toBe(
      'buffers.networkBodies.sizeOf refused entry 0 of the add: the network body’s responseBody is an object; it must be a string, null or absent (nothing of it was stored)',
    );
    expect(capture.memoryStatus().total_bytes).toBe(0);
  });

  it('entries that are not an array are a typed error', () => {
    const store = createSizedStore();
    const error = thrownBy(() => store.add('bodies', null as never));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'GOV_RINGBUFFER_INVALID_ENTRY',
      message: 'add to "bodies": entries must be an array, got null',
    });
  });

  it('a sizeOf that adds to the same store keeps both adds whole', () => {
    let reentered = false;
    const store = createBufferStore<{ log: Sized }>({
      buffers: {
        log: {
          capacity: 100,
          priority: 0,
          sizeOf: (entry) => {
            // The second entry of the outer add: its first size is measured already.
            if (!reentered && entry.id === 2) {
              reentered = true;
              store.add('log', sized(100, 3, 7));
            }
            return entry.bytes;
          },
        },
      },
      limits: { softBytes: 10_000, hardBytes: 10_000, criticalBytes: 10_000 },
    });
    store.add('log', sized(1, 3, 5));
    expect(store.entries('log').map((entry) => entry.id)).toEqual([100, 101, 102, 1, 2, 3]);
    expect(store.totalBytes()).toBe(36);
  });
});

describe('options a store cannot run with are refused', () => {
  it('refuses non-objects, specs that are not objects, entries larger than critical by rule, and periods a timer cannot keep', () => {
    expect(thrownBy(() => createBufferStore(undefined as never)).problems).toEqual(['options: undefined is not an object with buffers and limits']);
    expect(
      thrownBy(() =>
        createBufferStore({
          buffers: { a: null as never, b: { capacity: 1, priority: 0, fixedBytes: 500 }, c: { capacity: 1, priority: 0, sizeOf: (x: string) => x.length, overheadBytes: 401 } },
          limits: { softBytes: 100, hardBytes: 200, criticalBytes: 400 },
          checkIntervalMs: 2 ** 31,
          now: 5 as never,
        }),
      ).problems,
    ).toEqual([
      'buffers.a: null is not a buffer spec ({ capacity, priority, sizeOf? | fixedBytes? })',
      'buffers.b.fixedBytes: 500 is more than limits.criticalBytes (400), so no entry would fit',
      'buffers.c.overheadBytes: 401 is more than limits.criticalBytes (400), so no entry would fit',
      'checkIntervalMs: 2147483648 is more than 2147483647 (about 24.8 days), the longest period a timer keeps',
      'now: 5 is not a function',
    ]);
  });
});

describe('a clock that goes back', () => {
  it('does not hold eviction off until it catches up', () => {
    let now = 1_000_000;
    const store = createBufferStore({
      buffers: { log: { capacity: 100, priority: 0, fixedBytes: 10 } },
      limits: { softBytes: 100, hardBytes: 1_000, criticalBytes: 2_000 },
      cooldownMs: 1_000,
      now: () => now,
    });
    store.add('log', Array.from({ length: 11 }, () => ({})));
    expect(store.check().evictedEntries).toBe(3);
    now -= 3_600_000; // the wall clock is set back an hour
    store.add('log', Array.from({ length: 3 }, () => ({})));
    expect(store.check()).toMatchObject({ level: 'soft', evictedEntries: 3, deferred: false });
  });
});

describe('listeners cannot break an add', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function createListenedStore() {
    const store = createSizedStore();
    store.add('bodies', sized(1, 21, MIB)); // 21 MiB: over soft
    return store;
  }

  it('a throwing evict listener: the add completes, the batch is kept, the error goes to the error event', () => {
    const store = createListenedStore();
    const seen: string[] = [];
    const errors: BufferStoreError[] = [];
    store.events.on('evict', () => {
      throw new Error('listener bug');
    });
    store.events.on('evict', (event) => seen.push(`second listener saw ${event.entries}`));
    store.events.on('error', (error) => errors.push(error));
    expect(store.add('bodies', sized(100, 2, MIB))).toEqual({ added: 2, rejected: 0, evicted: 6 });
    expect(store.entries('bodies').map((entry) => entry.id).slice(-2)).toEqual([100, 101]);
    expect(seen).toEqual(['second listener saw 6']);
    expect(errors.map((error) => ({ code: error.code, message: error.message, cause: (error.cause as Error).message }))).toEqual([
      { code: 'GOV_RINGBUFFER_LISTENER_FAILED', message: 'a "evict" listener threw: listener bug', cause: 'listener bug' },
    ]);
  });

  it('with no error listener the error surfaces later as an uncaught exception, never from add', () => {
    const store = createListenedStore();
    const later: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      later.push(callback);
    });
    store.events.on('evict', () => {
      throw 'a string';
    });
    expect(store.add('bodies', sized(100, 1, MIB))).toEqual({ added: 1, rejected: 0, evicted: 6 });
    expect(later).toHaveLength(1);
    expect(() => later[0]!()).toThrow(new BufferStoreError('a "evict" listener threw: "a string"', { code: 'GOV_RINGBUFFER_LISTENER_FAILED' }));
  });

  it('a listener that adds to the store sees a finished add, and once-listeners run once', () => {
    const store = createListenedStore();
    const counts: number[] = [];
    store.events.once('evict', () => {
      counts.push(store.count('bodies'));
      store.add('bodies', sized(200, 1, MIB));
    });
    store.add('bodies', sized(100, 1, MIB));
    // 21 → 15 after the 25% pass, + 1 from the add, seen once it finished; then the listener's add
    expect(counts).toEqual([16]);
    expect(store.entries('bodies').map((entry) => entry.id).slice(-2)).toEqual([100, 200]);
    expect(store.events.listenerCount('evict' as keyof BufferStoreEvents)).toBe(0);
  });
});

describe('hostile input, generated', () => {
  const CODES = new Set([
    'GOV_RINGBUFFER_INVALID_OPTIONS',
    'GOV_RINGBUFFER_UNKNOWN_BUFFER',
    'GOV_RINGBUFFER_INVALID_SIZE',
    'GOV_RINGBUFFER_INVALID_ENTRY',
    'GOV_RINGBUFFER_ENTRY_TOO_LARGE',
  ]);
  /** What a sizeOf may return or do: usable numbers mostly, and every kind of wrong. */
  const rawSizeArb: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 400 }) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 400, noNaN: true }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -1, -0, 2 ** 53, '12', 5n, null, undefined, true, Symbol('s'), {}, Object.create(null), 'throw'),
    },
  );
  const nameArb = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'a.b', '0'), fc.string({ maxLength: 6 }));
  type Entry = { raw: unknown } | null | undefined;
  const entryArb: fc.Arbitrary<Entry> = fc.oneof({ weight: 12, arbitrary: rawSizeArb.map((raw) => ({ raw })) }, { weight: 1, arbitrary: fc.constantFrom(null, undefined) });
  type Op =
    | { kind: 'add'; buffer: number; entries: Entry[] | 'not an array' }
    | { kind: 'check' }
    | { kind: 'clock'; ms: number }
    | { kind: 'setCapacity'; buffer: number; capacity: unknown }
    | { kind: 'clear'; buffer: number }
    | { kind: 'unknown'; name: unknown };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('add' as const), buffer: fc.nat(3), entries: fc.oneof({ weight: 9, arbitrary: fc.array(entryArb, { maxLength: 8 }) }, { weight: 1, arbitrary: fc.constant('not an array' as const) }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('check' as const) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), ms: fc.oneof(fc.integer({ min: -5_000, max: 5_000 }), fc.constant(Number.NaN)) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('setCapacity' as const), buffer: fc.nat(3), capacity: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constantFrom<unknown>(Number.NaN, 1.5, '3', null)) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), buffer: fc.nat(3) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknown' as const), name: fc.constantFrom<unknown>('nope', Symbol('x'), 42, null, {}) }) },
  );
  const setupArb = fc.record({
    names: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 4 }),
    capacities: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 4, maxLength: 4 }),
    overheads: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 4, maxLength: 4 }),
    rejects: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    soft: fc.integer({ min: 1, max: 800 }),
    hardExtra: fc.integer({ min: 0, max: 800 }),
    criticalExtra: fc.integer({ min: 0, max: 800 }),
    cooldownMs: fc.integer({ min: 0, max: 2_000 }),
    throwingListeners: fc.subarray(['evict', 'minimal-mode', 'exceeded', 'recovered'] as const),
  });

  /** The size the store must have counted for an entry it kept. */
  const counted = (raw: unknown, overhead: number): number => Math.ceil(raw as number) + overhead;

  it('only typed errors, never over critical, every name reported, sums exact, an accepted add keeps its newest entry', () => {
    const later: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      later.push(callback);
    });
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { maxLength: 60, size: 'max' }), (setup, ops) => {
        let now = 0;
        const critical = setup.soft + setup.hardExtra + setup.criticalExtra;
        const names = setup.names;
        const overheadOf = new Map(names.map((name, i) => [name, setup.overheads[i]!]));
        const buffers = Object.create(null) as Record<string, object>;
        names.forEach((name, i) => {
          buffers[name] = {
            capacity: setup.capacities[i],
            priority: i % 2,
            rejectWhenExceeded: setup.rejects[i],
            overheadBytes: setup.overheads[i],
            sizeOf: (entry: { raw: unknown }) => {
              if (entry.raw === 'throw') throw new Error('size rule bug');
              return entry.raw;
            },
          };
        });
        const create = () =>
          createBufferStore<Record<string, { raw: unknown }>>({
            buffers: buffers as never,
            limits: { softBytes: setup.soft, hardBytes: setup.soft + setup.hardExtra, criticalBytes: critical },
            cooldownMs: setup.cooldownMs,
            now: () => now,
          });
        if (names.some((name) => overheadOf.get(name)! > critical)) {
          expect(create).toThrow(expect.objectContaining({ code: 'GOV_RINGBUFFER_INVALID_OPTIONS' }));
          return;
        }
        const store = create();
        for (const event of setup.throwingListeners) {
          store.events.on(event, () => {
            throw new Error(`${event} listener bug`);
          });
        }
        const reported: BufferStoreError[] = [];
        store.events.on('error', (error) => reported.push(error));

        for (const op of ops) {
          const name = 'buffer' in op ? names[op.buffer % names.length]! : '';
          try {
            if (op.kind === 'add') {
              const entries = op.entries === 'not an array' ? (op.entries as never) : op.entries;
              const result = store.add(name, entries as never);
              if (Array.isArray(entries) && entries.length > 0 && result.added > 0) expect(store.entries(name).at(-1)).toBe(entries.at(-1));
            } else if (op.kind === 'check') {
              store.check();
            } else if (op.kind === 'clock') {
              now += op.ms;
            } else if (op.kind === 'setCapacity') {
              store.setCapacity(name, op.capacity as number);
            } else if (op.kind === 'clear') {
              store.clear(name);
            } else {
              store.count(op.name as string);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(BufferStoreError);
            expect(CODES.has((error as BufferStoreError).code)).toBe(true);
          }
          expect(store.totalBytes()).toBeLessThanOrEqual(critical);
          const status = store.memoryStatus();
          // Integer-like names come first in any object's key order, the options' included.
          expect(Object.keys(status.buffers)).toEqual(Object.keys(buffers));
          let sum = 0;
          for (const bufferName of names) {
            const kept = store.entries(bufferName);
            const bytes = kept.reduce((total, entry) => total + counted(entry.raw, overheadOf.get(bufferName)!), 0);
            expect(store.bytes(bufferName)).toBe(bytes);
            expect(status.buffers[bufferName]!.bytes).toBe(bytes);
            expect(kept.length).toBeLessThanOrEqual(store.capacity(bufferName));
            sum += bytes;
          }
          expect(store.totalBytes()).toBe(sum);
        }
        for (const error of reported) expect(error.code).toBe('GOV_RINGBUFFER_LISTENER_FAILED');
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
    expect(later).toEqual([]);
  }, 120_000);
});
