import { CircularBuffer } from 'mnemonist';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createBufferStore } from './index.js';

// Proves, with the real garbage collector, that an entry leaving the store (dropped by rotation,
// evicted, cleared) is collectable at once. mnemonist's ring is the control: it keeps removed
// entries in their slots, so the same check sees them survive there.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Payload {
  id: number;
  blob: Uint8Array;
}

/** Runs GC across a few turns of the event loop: WeakRefs created in this job stay alive until it ends. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

function track(count: number, from = 0): { entries: Payload[]; refs: WeakRef<Payload>[] } {
  const entries = Array.from({ length: count }, (_, i) => ({ id: from + i, blob: new Uint8Array(1024) }));
  return { entries, refs: entries.map((entry) => new WeakRef(entry)) };
}

const alive = (refs: WeakRef<Payload>[]): number[] => refs.flatMap((ref) => (ref.deref() === undefined ? [] : [ref.deref()!.id]));

describe('released entries are garbage-collected', () => {
  it('dropped, evicted and cleared entries are collected; kept entries are not', async () => {
    const store = createBufferStore({
      buffers: { payloads: { capacity: 10, priority: 0, sizeOf: (payload: Payload) => payload.blob.byteLength } },
      limits: { softBytes: 8 * 1024, hardBytes: 100 * 1024, criticalBytes: 200 * 1024 },
      cooldownMs: 0,
    });
    const tracked = (() => {
      const first = track(12); // 0, 1 rotate out
      store.add('payloads', first.entries);
      return first.refs;
    })();
    await collect();
    expect(alive(tracked)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    // 10 KiB > 8 KiB soft: 25% (3) evicted, leaving 7 KiB
    expect(store.check().evictedEntries).toBe(3);
    await collect();
    expect(alive(tracked)).toEqual([5, 6, 7, 8, 9, 10, 11]);

    store.clear();
    await collect();
    expect(alive(tracked)).toEqual([]);
  });

  it('entries evicted inside an add are released by the adds that follow, 32 per entry added', async () => {
    const store = createBufferStore({
      buffers: { payloads: { capacity: 200, priority: 0, sizeOf: (payload: Payload) => payload.blob.byteLength } },
      limits: { softBytes: 150 * 1024, hardBytes: 1_000 * 1024, criticalBytes: 2_000 * 1024 },
      cooldownMs: 0,
    });
    const tracked = (() => {
      const first = track(151);
      store.add('payloads', first.entries);
      return first.refs;
    })();
    // 151 KiB > 150 KiB: this add evicts ⌈25% × 151⌉ = 38 and releases 32 of them
    store.add('payloads', track(1, 1_000).entries);
    await collect();
    expect(alive(tracked)).toEqual(Array.from({ length: 151 - 32 }, (_, i) => 32 + i));
    store.add('payloads', track(1, 1_001).entries);
    await collect();
    expect(alive(tracked)).toEqual(Array.from({ length: 151 - 38 }, (_, i) => 38 + i));
  });

  it('the control: mnemonist’s CircularBuffer keeps shifted and cleared entries reachable', async () => {
    const ring = new CircularBuffer<Payload>(Array, 10);
    const tracked = (() => {
      const first = track(10);
      for (const entry of first.entries) ring.push(entry);
      return first.refs;
    })();
    ring.shift();
    ring.shift();
    ring.clear();
    await collect();
    expect(alive(tracked)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
