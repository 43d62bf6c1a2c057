import { describe, expect, it } from 'vitest';
import { BufferStoreError, createExtensionGuard, createGasolineStore } from './index.js';

describe('createExtensionGuard', () => {
  it('lists every invalid option', () => {
    let caught: unknown;
    try {
      createExtensionGuard({
        buffers: { logs: { capacity: 0, averageEntryBytes: -1 } },
        networkBuffer: 'bodies' as 'logs',
        softBytes: 10,
        hardBytes: 5,
        intervalMs: 0,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BufferStoreError);
    expect((caught as BufferStoreError).problems).toEqual([
      'buffers.logs.capacity: 0 is not a positive integer',
      'buffers.logs.averageEntryBytes: -1 is not a non-negative number',
      'networkBuffer: "bodies" is not one of the buffers',
      'softBytes ≤ hardBytes is required, got 10 / 5',
      'intervalMs: 0 is not a positive number',
    ]);
  });

  it('uses its own limits and interval when given, and drops the oldest past capacity', () => {
    const intervals: number[] = [];
    const guard = createExtensionGuard<'logs' | 'bodies', number>({
      buffers: { logs: { capacity: 4, averageEntryBytes: 10 }, bodies: { capacity: 3, averageEntryBytes: 100 } },
      networkBuffer: 'bodies',
      softBytes: 100,
      hardBytes: 300,
      intervalMs: 5_000,
      setInterval: (_callback, intervalMs) => {
        intervals.push(intervalMs);
        return intervals.length;
      },
      clearInterval: () => undefined,
    });
    guard.start();
    guard.start();
    expect(intervals).toEqual([5_000]);
    expect(guard.add('logs', [1, 2, 3, 4, 5, 6])).toBe(6);
    expect(guard.entries('logs')).toEqual([3, 4, 5, 6]);
    guard.add('bodies', [1]);
    expect(guard.estimateBytes()).toBe(140);
    expect(guard.check()).toEqual({
      level: 'soft',
      estimatedBytes: 140,
      networkCaptureEnabled: true,
      capacities: { logs: 2, bodies: 1 },
      removedEntries: 2,
    });
    expect(() => guard.entries('nope' as 'logs')).toThrow(expect.objectContaining({ code: 'GOV_RINGBUFFER_UNKNOWN_BUFFER' }));
  });
});

describe('createExtensionGuard: hostile input', () => {
  it('a buffer named __proto__ is a plain key in the capacities', () => {
    const guard = createExtensionGuard({
      buffers: JSON.parse('{"__proto__":{"capacity":4,"averageEntryBytes":10},"bodies":{"capacity":2,"averageEntryBytes":10}}'),
      networkBuffer: 'bodies',
    });
    expect(Object.keys(guard.check().capacities)).toEqual(['__proto__', 'bodies']);
  });

  it('refuses a period a timer cannot keep, specs that are not objects and entries that are not an array', () => {
    let caught: unknown;
    try {
      createExtensionGuard({ buffers: { logs: null as never, bodies: { capacity: 1, averageEntryBytes: 1 } }, networkBuffer: 'bodies', intervalMs: 2 ** 31 });
    } catch (error) {
      caught = error;
    }
    expect((caught as BufferStoreError).problems).toEqual([
      'buffers.logs: null is not { capacity, averageEntryBytes }',
      'intervalMs: 2147483648 is more than 2147483647 (about 24.8 days), the longest period a timer keeps',
    ]);
    const guard = createExtensionGuard({ buffers: { bodies: { capacity: 1, averageEntryBytes: 1 } }, networkBuffer: 'bodies' });
    expect(() => guard.add('bodies', 'not an array' as never)).toThrow(
      new BufferStoreError('add to "bodies": entries must be an array, got "not an array"', { code: 'GOV_RINGBUFFER_INVALID_ENTRY' }),
    );
  });
});

describe('createGasolineStore options', () => {
  it('overrides any subset of the limits and keeps the rest', () => {
    const store = createGasolineStore({ limits: { softBytes: 1_000 } });
    expect(store.limits).toEqual({ softBytes: 1_000, hardBytes: 50 * 1024 * 1024, criticalBytes: 100 * 1024 * 1024 });
  });

  it('passes cooldown and check interval through', () => {
    let now = 0;
    const intervals: number[] = [];
    const store = createGasolineStore({
      limits: { softBytes: 1_000, hardBytes: 10_000, criticalBytes: 20_000 },
      cooldownMs: 5_000,
      checkIntervalMs: 2_500,
      now: () => now,
      setInterval: (_callback, intervalMs) => intervals.push(intervalMs),
      clearInterval: () => undefined,
    });
    store.start();
    expect(intervals).toEqual([2_500]);
    store.addEnhancedActions(Array.from({ length: 3 }, () => ({}))); // 1 500 bytes
    expect(store.check().evictedEntries).toBe(1); // 25% of 3 → 1, 1 000 left
    store.addEnhancedActions([{}, {}]); // 2 000 bytes
    now = 4_999;
    expect(store.check()).toMatchObject({ evictedEntries: 0, deferred: true });
    now = 5_000;
    // 2 000 bytes: 25% of 4 → 1 (1 500, still over soft), then 50% of 3 → 2 (500)
    expect(store.check().evictedEntries).toBe(3);
  });
});
