import { describe, expect, it } from 'vitest';
import { createIngestGuard } from '../http/index.js';
import type { EvictEvent } from '../index.js';
import { createExtensionGuard, createGasolineStore, networkBodyBytes, webSocketEventBytes } from './index.js';
import type { GasolineMemoryStatus } from './index.js';

// The 22 test scenarios of the memory-enforcement design, against the preset, on fake time.

const KIB = 1024;
const MIB = 1024 * KIB;

interface CapturedEvent {
  id: number;
  data?: string;
}

interface CapturedBody {
  id: number;
  requestBody?: string;
  responseBody?: string;
}

const payloads = new Map<number, string>();
/** A string of `length` ASCII characters, shared between entries so tests stay small. */
function payload(length: number): string {
  let text = payloads.get(length);
  if (text === undefined) {
    text = 'x'.repeat(length);
    payloads.set(length, text);
  }
  return text;
}

/** WebSocket events that count `bytes` each (data + 200). */
const wsEvents = (from: number, count: number, bytes: number): CapturedEvent[] =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, data: payload(bytes - 200) }));
/** Network bodies that count `bytes` each (response body + 300). */
const bodies = (from: number, count: number, bytes: number): CapturedBody[] =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, responseBody: payload(bytes - 300) }));
const actions = (from: number, count: number): { id: number }[] => Array.from({ length: count }, (_, i) => ({ id: from + i }));
const ids = (entries: { id: number }[]): number[] => entries.map((entry) => entry.id);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A clock and an interval scheduler that only move when told to. */
function createFakeTime(start = 1_700_000_000_000) {
  let now = start;
  const intervals = new Set<{ callback: () => void; intervalMs: number; due: number; unref: () => void }>();
  return {
    now: () => now,
    setInterval: (callback: () => void, intervalMs: number) => {
      const timer = { callback, intervalMs, due: now + intervalMs, unref: () => undefined };
      intervals.add(timer);
      return timer;
    },
    clearInterval: (handle: unknown) => {
      intervals.delete(handle as never);
    },
    intervalsMs: () => [...intervals].map((timer) => timer.intervalMs),
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...intervals].sort((a, b) => a.due - b.due)[0];
        if (next === undefined || next.due > end) break;
        now = next.due;
        next.due += next.intervalMs;
        next.callback();
      }
      now = end;
    },
  };
}

function createTestStore() {
  const time = createFakeTime();
  const store = createGasolineStore<CapturedEvent, CapturedBody, { id: number }>({
    now: time.now,
    setInterval: time.setInterval,
    clearInterval: time.clearInterval,
  });
  const evictions: EvictEvent[] = [];
  store.events.on('evict', (event) => evictions.push(event));
  return { store, time, evictions };
}

const LIMITS = { soft_limit: 20 * MIB, hard_limit: 50 * MIB, critical_limit: 100 * MIB };

function status(fields: Partial<GasolineMemoryStatus>): GasolineMemoryStatus {
  const websocket = fields.websocket_bytes ?? 0;
  const network = fields.network_bytes ?? 0;
  const actionBytes = fields.actions_bytes ?? 0;
  return {
    total_bytes: websocket + network + actionBytes,
    websocket_bytes: websocket,
    network_bytes: network,
    actions_bytes: actionBytes,
    ...LIMITS,
    minimal_mode: false,
    total_evictions: 0,
    evicted_entries: 0,
    ...fields,
  };
}

/** 21.6 MB: network bodies 4 × 256 KiB, WebSocket 400 × 50 KiB, actions 200 × 500 B. */
function fillTo21MB(store: ReturnType<typeof createTestStore>['store']) {
  store.addNetworkBodies(bodies(1, 4, 256 * KIB));
  store.addEnhancedActions(actions(1, 200));
  store.addWebSocketEvents(wsEvents(1, 400, 50 * KIB));
  expect(store.memoryStatus().total_bytes).toBe(21_628_576);
}

/** 53.5 MB: WebSocket 10 × 100 KiB then network bodies 100 × 512 KiB, in one add each. */
function fillTo51MB(store: ReturnType<typeof createTestStore>['store']) {
  store.addWebSocketEvents(wsEvents(1, 10, 100 * KIB));
  store.addNetworkBodies(bodies(1, 100, 512 * KIB));
  expect(store.memoryStatus().total_bytes).toBe(53_452_800);
}

/**
 * One action, then 100 network bodies of 1 059 000 bytes in one add: the 100th would take the
 * store to 105.9 MB, over critical, so everything held is cleared (one action, 99 bodies and
 * whatever the test added before) and minimal mode starts before the 100th is stored.
 */
function pushOverCritical(store: ReturnType<typeof createTestStore>['store']) {
  store.addEnhancedActions(actions(1, 1));
  return store.addNetworkBodies(bodies(1, 100, 1_059_000));
}

describe('memory enforcement scenarios', () => {
  it('1: memory below the soft limit → no eviction', () => {
    const { store, evictions } = createTestStore();
    store.addNetworkBodies(bodies(1, 10, MIB));
    store.addWebSocketEvents(wsEvents(1, 100, 10 * KIB));
    expect(store.addEnhancedActions(actions(1, 5))).toEqual({ added: 5, rejected: 0, evicted: 0 });
    expect(store.check()).toMatchObject({ level: 'none', evictedEntries: 0 });
    expect(store.memoryStatus()).toEqual(status({ websocket_bytes: 1_024_000, network_bytes: 10 * MIB, actions_bytes: 2_500 }));
    expect(evictions).toEqual([]);
  });

  it('2: 21 MB (over soft) → the oldest 25% of each buffer, network bodies first, until under soft', () => {
    const { store, evictions } = createTestStore();
    fillTo21MB(store);
    // 25% of network bodies (1 × 256 KiB) leaves 21 366 432, still over; 25% of WebSocket (100) brings it under.
    expect(store.addEnhancedActions(actions(201, 1))).toEqual({ added: 1, rejected: 0, evicted: 101 });
    expect(evictions).toEqual([
      {
        level: 'soft',
        buffers: {
          websocket: { entries: 100, bytes: 5_120_000 },
          networkBodies: { entries: 1, bytes: 262_144 },
          actions: { entries: 0, bytes: 0 },
        },
        entries: 101,
        bytes: 5_382_144,
        totalBefore: 21_628_576,
        totalAfter: 16_246_432,
        at: 1_700_000_000_000,
      },
    ]);
    expect(ids(store.entries('networkBodies'))).toEqual([2, 3, 4]);
    expect(ids(store.entries('websocket'))).toEqual(range(101, 400));
    expect(store.memoryStatus()).toEqual(
      status({ websocket_bytes: 15_360_000, network_bytes: 786_432, actions_bytes: 100_000, total_evictions: 1, evicted_entries: 101 }),
    );
  });

  it('3: 51 MB (over hard) → the oldest 50% evicted, memory-exceeded flag set', () => {
    const { store, evictions } = createTestStore();
    fillTo51MB(store);
    expect(store.isMemoryExceeded()).toBe(false);
    expect(store.addEnhancedActions(actions(1, 1))).toEqual({ added: 1, rejected: 0, evicted: 55 });
    expect(store.isMemoryExceeded()).toBe(true);
    expect(evictions[0]).toMatchObject({
      level: 'hard',
      buffers: { networkBodies: { entries: 50, bytes: 50 * 512 * KIB }, websocket: { entries: 5, bytes: 512_000 } },
    });
    expect(ids(store.entries('networkBodies'))).toEqual(range(51, 100));
    expect(ids(store.entries('websocket'))).toEqual(range(6, 10));
    expect(store.memoryStatus()).toEqual(
      status({ websocket_bytes: 512_000, network_bytes: 25 * MIB, actions_bytes: 500, total_evictions: 1, evicted_entries: 55 }),
    );
  });

  it('4: an add that would reach 101 MB (over critical) → every buffer cleared first, minimal mode on', () => {
    const { store, evictions } = createTestStore();
    store.addWebSocketEvents(wsEvents(1, 3, KIB));
    expect(pushOverCritical(store)).toEqual({ added: 100, rejected: 0, evicted: 103 });
    expect(store.isMinimalMode()).toBe(true);
    expect(ids(store.entries('networkBodies'))).toEqual([100]);
    expect(store.entries('websocket')).toEqual([]);
    expect(evictions.map(({ level, entries, totalAfter }) => ({ level, entries, totalAfter }))).toEqual([
      { level: 'critical', entries: 103, totalAfter: 0 },
    ]);
    expect(store.memoryStatus()).toEqual(status({ network_bytes: 1_059_000, minimal_mode: true, total_evictions: 1, evicted_entries: 103 }));
  });

  it('5: minimal mode → capacities halved (250 WS, 50 NB, 100 actions)', () => {
    const { store } = createTestStore();
    expect([store.capacity('websocket'), store.capacity('networkBodies'), store.capacity('actions')]).toEqual([500, 100, 200]);
    pushOverCritical(store);
    store.check();
    expect([store.capacity('websocket'), store.capacity('networkBodies'), store.capacity('actions')]).toEqual([250, 50, 100]);
  });

  it('6: minimal mode persists after memory drops', () => {
    const { store, time } = createTestStore();
    pushOverCritical(store);
    store.check();
    store.start();
    time.advance(60 * 60 * 1000);
    store.addEnhancedActions(actions(1, 3));
    expect(store.memoryStatus()).toEqual(
      status({ network_bytes: 1_059_000, actions_bytes: 1_500, minimal_mode: true, total_evictions: 1, evicted_entries: 100 }),
    );
    expect(store.capacity('websocket')).toBe(250);
  });

  it('7: memory-exceeded flag → network body POSTs rejected with 429', () => {
    const { store } = createTestStore();
    const guard = createIngestGuard({ store });
    const post = { method: 'POST', url: '/network-bodies' };
    expect(guard.check(post)).toBeNull();
    fillTo51MB(store);
    // this add's enforcement sets the flag (and evicts 50%), so the bodies are refused
    expect(store.addNetworkBodies(bodies(1000, 2, KIB))).toEqual({ added: 0, rejected: 2, evicted: 55 });
    expect(guard.check(post)).toEqual({
      status: 429,
      headers: { 'Retry-After': '10', 'Content-Type': 'application/json; charset=utf-8' },
      body: '{"error":"memory_exceeded","reason":"capture memory is over its hard limit; network bodies are refused until it drops back under","retry_after_seconds":10}',
      reason: {
        error: 'memory_exceeded',
        reason: 'capture memory is over its hard limit; network bodies are refused until it drops back under',
        retry_after_seconds: 10,
      },
    });
    expect(guard.check({ method: 'POST', url: '/network-bodies?tab=3' })).toMatchObject({ status: 429 });
    expect(guard.check({ method: 'POST', url: '/websocket-events' })).toBeNull();
    expect(guard.check({ method: 'GET', url: '/network-bodies' })).toBeNull();
  });

  it('8: memory drops below hard → memory-exceeded flag cleared', () => {
    const { store, time } = createTestStore();
    const recovered: unknown[] = [];
    store.events.on('recovered', (event) => recovered.push(event));
    fillTo51MB(store);
    store.check(); // 50%: 26 726 400 left, flag set
    expect(store.isMemoryExceeded()).toBe(true);
    time.advance(1_000);
    store.check();
    expect(store.isMemoryExceeded()).toBe(false);
    expect(recovered).toEqual([{ totalBytes: 26_726_400, hardBytes: 50 * MIB, at: 1_700_000_001_000 }]);
    expect(store.addNetworkBodies(bodies(101, 1, KIB))).toMatchObject({ added: 1, rejected: 0 });
  });

  it('9: eviction targets network bodies first', () => {
    const { store, evictions } = createTestStore();
    store.addWebSocketEvents(wsEvents(1, 400, 40 * KIB)); // 16 384 000
    store.addNetworkBodies(bodies(1, 8, 600 * KIB)); // 4 915 200 → 21 299 200
    store.check();
    // a quarter of the network bodies (2 × 600 KiB) is enough: WebSocket events are not touched
    expect(evictions[0]!.buffers).toEqual({
      websocket: { entries: 0, bytes: 0 },
      networkBodies: { entries: 2, bytes: 1_228_800 },
      actions: { entries: 0, bytes: 0 },
    });
    expect(store.entries('websocket')).toHaveLength(400);
  });

  it('10: two ingests within the 1 s cooldown → one eviction', () => {
    const { store, time } = createTestStore();
    fillTo21MB(store);
    expect(store.addEnhancedActions(actions(201, 1)).evicted).toBe(101);
    store.addWebSocketEvents(wsEvents(401, 100, 50 * KIB)); // back over soft: 21 366 432
    time.advance(999);
    expect(store.addEnhancedActions(actions(202, 1))).toEqual({ added: 1, rejected: 0, evicted: 0 });
    expect(store.memoryStatus().total_evictions).toBe(1);
    time.advance(1);
    expect(store.addEnhancedActions(actions(203, 1)).evicted).toBeGreaterThan(0);
    expect(store.memoryStatus().total_evictions).toBe(2);
  });

  it('11: the periodic check over soft → eviction', () => {
    const { store, time } = createTestStore();
    fillTo21MB(store);
    store.start();
    expect(time.intervalsMs()).toEqual([10_000]);
    time.advance(9_999);
    expect(store.memoryStatus().total_evictions).toBe(0);
    time.advance(1);
    expect(store.memoryStatus()).toMatchObject({ total_bytes: 16_246_432, total_evictions: 1, evicted_entries: 101 });
    store.stop();
    expect(time.intervalsMs()).toEqual([]);
  });

  it('12: the periodic check under soft → no action', () => {
    const { store, time, evictions } = createTestStore();
    store.addWebSocketEvents(wsEvents(1, 100, 10 * KIB));
    const before = store.memoryStatus();
    store.start();
    time.advance(60_000);
    expect(store.memoryStatus()).toEqual(before);
    expect(evictions).toEqual([]);
    expect(store.entries('websocket')).toHaveLength(100);
  });

  it('13: the total is the sum of the three buffer estimates', () => {
    const { store } = createTestStore();
    store.addWebSocketEvents([{ id: 1, data: 'abc' }, { id: 2 }]); // 203 + 200
    store.addNetworkBodies([{ id: 1, requestBody: '{}', responseBody: 'hello' }]); // 307
    store.addEnhancedActions(actions(1, 2)); // 1 000
    expect(store.memoryStatus()).toEqual(status({ websocket_bytes: 403, network_bytes: 307, actions_bytes: 1_000 }));
    expect(store.memoryStatus().total_bytes).toBe(1_710);
  });

  it('14: a WebSocket event counts 200 bytes + its data’s UTF-8 length', () => {
    // h é l l o ␠ € 😀 → 1+2+1+1+1+1+3+4 = 14 bytes
    expect(webSocketEventBytes({ data: 'héllo €😀' })).toBe(214);
    expect(webSocketEventBytes({})).toBe(200);
    const { store } = createTestStore();
    store.addWebSocketEvents([{ id: 1, data: 'héllo €😀' }]);
    expect(store.memoryStatus().websocket_bytes).toBe(214);
  });

  it('15: a network body counts 300 bytes + both bodies’ lengths', () => {
    expect(networkBodyBytes({ requestBody: '{"q":"ü"}', responseBody: 'ok' })).toBe(312);
    expect(networkBodyBytes({ responseBody: 'x'.repeat(1_000) })).toBe(1_300);
    expect(networkBodyBytes({})).toBe(300);
    const { store } = createTestStore();
    store.addNetworkBodies([{ id: 1, requestBody: '{"q":"ü"}', responseBody: 'ok' }]);
    expect(store.memoryStatus().network_bytes).toBe(312);
  });

  it('16: after eviction the oldest entries are gone and the newest kept', () => {
    const { store } = createTestStore();
    fillTo21MB(store);
    store.check();
    const kept = store.entries('websocket');
    expect(ids(kept)).toEqual(range(101, 400));
    expect(ids(store.entries('networkBodies'))).toEqual([2, 3, 4]);
  });

  it('17: ring rotation still works after eviction', () => {
    const { store, time } = createTestStore();
    fillTo21MB(store);
    store.check(); // websocket: 101..400 (300 entries)
    time.advance(1_000);
    store.addWebSocketEvents(wsEvents(401, 250, 200)); // 550 entries for 500 slots: 101..150 rotate out
    expect(ids(store.entries('websocket'))).toEqual(range(151, 650));
    expect(store.memoryStatus().websocket_bytes).toBe(250 * 50 * KIB + 250 * 200);
  });

  it('18: AddWebSocketEvents at the hard limit → events rejected, not added', () => {
    const { store } = createTestStore();
    fillTo51MB(store);
    const result = store.addWebSocketEvents(wsEvents(11, 3, KIB));
    expect(result).toEqual({ added: 0, rejected: 3, evicted: 55 });
    expect(ids(store.entries('websocket'))).toEqual(range(6, 10));
  });

  it('19: minimal mode + ingest → data added at the reduced capacity', () => {
    const { store, time } = createTestStore();
    pushOverCritical(store);
    store.check();
    time.advance(5_000);
    expect(store.addWebSocketEvents(wsEvents(1, 300, 300))).toEqual({ added: 300, rejected: 0, evicted: 0 });
    expect(ids(store.entries('websocket'))).toEqual(range(51, 300));
    store.addNetworkBodies(bodies(1, 60, 400));
    expect(ids(store.entries('networkBodies'))).toEqual(range(11, 60));
    expect(store.memoryStatus()).toEqual(
      status({ websocket_bytes: 250 * 300, network_bytes: 50 * 400, minimal_mode: true, total_evictions: 1, evicted_entries: 100 }),
    );
  });
});

describe('extension-side memory scenarios', () => {
  function createTestGuard() {
    const time = createFakeTime();
    const guard = createExtensionGuard<'websocket' | 'networkBodies' | 'actions', { id: number }>({
      buffers: {
        websocket: { capacity: 500, averageEntryBytes: 60 * KIB },
        networkBodies: { capacity: 100, averageEntryBytes: 256 * KIB },
        actions: { capacity: 200, averageEntryBytes: KIB },
      },
      networkBuffer: 'networkBodies',
      setInterval: time.setInterval,
      clearInterval: time.clearInterval,
    });
    return { guard, time };
  }

  it('20: over the extension soft limit (20 MB) → buffer capacities halved', () => {
    const { guard } = createTestGuard();
    guard.add('networkBodies', actions(1, 100)); // 25 MiB estimated
    guard.add('actions', actions(1, 200));
    expect(guard.check()).toEqual({
      level: 'soft',
      estimatedBytes: 25 * MIB + 200 * KIB,
      networkCaptureEnabled: true,
      capacities: { websocket: 250, networkBodies: 50, actions: 100 },
      removedEntries: 150,
    });
    expect(ids(guard.entries('networkBodies'))).toEqual(range(51, 100));
    expect(guard.add('networkBodies', actions(101, 1))).toBe(1);
    // back under soft: capacities return
    expect(guard.check()).toMatchObject({ level: 'normal', capacities: { websocket: 500, networkBodies: 100, actions: 200 } });
  });

  it('21: over the extension hard limit (50 MB) → network-body capture disabled, its buffer cleared', () => {
    const { guard } = createTestGuard();
    guard.add('websocket', actions(1, 500)); // 30 000 KiB
    guard.add('networkBodies', actions(1, 100)); // 25 600 KiB
    expect(guard.check()).toEqual({
      level: 'hard',
      estimatedBytes: 500 * 60 * KIB + 25 * MIB,
      networkCaptureEnabled: false,
      capacities: { websocket: 250, networkBodies: 50, actions: 100 },
      removedEntries: 250 + 100,
    });
    expect(guard.entries('networkBodies')).toEqual([]);
    expect(guard.isNetworkCaptureEnabled()).toBe(false);
    expect(guard.add('networkBodies', actions(101, 5))).toBe(0);
    expect(guard.entries('networkBodies')).toEqual([]);
    expect(guard.add('websocket', actions(501, 1))).toBe(1);
  });

  it('22: the extension check runs every 30 seconds', () => {
    const { guard, time } = createTestGuard();
    guard.start();
    expect(time.intervalsMs()).toEqual([30_000]);
    guard.add('networkBodies', actions(1, 100));
    time.advance(29_999);
    expect(guard.level()).toBe('normal');
    expect(guard.capacity('websocket')).toBe(500);
    time.advance(1);
    expect(guard.level()).toBe('soft');
    expect(guard.capacity('websocket')).toBe(250);
    guard.stop();
    expect(time.intervalsMs()).toEqual([]);
  });
});
