// One library, one process: `node --expose-gc worker.mjs <library> <scenario...>` prints a JSON
// result line. Libraries: store (the built @gov/ringbuffer-evictor), lru-cache, denque,
// mnemonist (retention control only). Scenarios: s1 s2 s4 s5.
import { createEntries, sizeField, sizeOf } from './entries.mjs';

const DIST = new URL('../../../packages/ringbuffer-evictor/dist/index.js', import.meta.url);
const HUGE = 1e12;

const [library, ...scenarios] = process.argv.slice(2);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const now = () => process.hrtime.bigint();

/** Adapters: the same operations written the natural way for each library. */
async function loadAdapter(name) {
  switch (name) {
    case 'store': {
      const { createBufferStore } = await import(DIST.href);
      const create = (capacity, limits, size = sizeOf) =>
        createBufferStore({
          buffers: { messages: { capacity, priority: 0, sizeOf: size } },
          limits: { softBytes: limits.soft, hardBytes: limits.hard ?? HUGE, criticalBytes: limits.critical ?? HUGE },
          cooldownMs: 0,
        });
      return {
        budgeted(budget, size) {
          // Byte budget = soft limit: every append over it runs an eviction cycle (no cooldown).
          const store = create(1 << 20, { soft: budget }, size);
          return { append: (entry) => store.add('messages', [entry]), bytes: () => store.totalBytes(), count: () => store.count('messages') };
        },
        fullBuffer(entries, ratio) {
          const full = entries.reduce((sum, entry) => sum + sizeOf(entry), 0);
          const n = Math.ceil(ratio * entries.length);
          const oldest = entries.slice(0, n).reduce((sum, entry) => sum + sizeOf(entry), 0);
          // 25%: a soft pass that lands exactly on soft; 50%: the hard pass.
          const limits = ratio === 0.25 ? { soft: full - oldest } : { soft: 1, hard: full - 1 };
          const store = create(entries.length, limits);
          return {
            refill() {
              store.clear();
              store.add('messages', entries);
            },
            evict: () => store.check(),
            count: () => store.count('messages'),
          };
        },
        filled(count, entries) {
          const store = create(count, { soft: HUGE });
          for (let i = 0; i < count; i += 1) store.add('messages', [entries[i % entries.length]]);
          return { status: () => store.memoryStatus(), count: () => store.count('messages') };
        },
        retention(count) {
          const store = create(count, { soft: 1 });
          return {
            fill: (entries) => store.add('messages', entries),
            evictAll() {
              while (store.count('messages') > 0) store.check();
            },
            clear: () => store.clear(),
            count: () => store.count('messages'),
          };
        },
      };
    }
    case 'lru-cache': {
      const { LRUCache } = await import('lru-cache');
      let key = 0;
      return {
        budgeted(budget, size) {
          const cache = new LRUCache({ maxSize: budget, sizeCalculation: size });
          return { append: (entry) => cache.set(key++, entry), bytes: () => cache.calculatedSize, count: () => cache.size };
        },
        fullBuffer(entries, ratio) {
          const cache = new LRUCache({ maxSize: HUGE, sizeCalculation: sizeOf });
          const n = Math.ceil(ratio * entries.length);
          return {
            refill() {
              cache.clear();
              for (const entry of entries) cache.set(key++, entry);
            },
            evict() {
              for (let i = 0; i < n; i += 1) cache.pop();
            },
            count: () => cache.size,
          };
        },
        filled(count, entries) {
          const cache = new LRUCache({ maxSize: HUGE, sizeCalculation: sizeOf });
          for (let i = 0; i < count; i += 1) cache.set(key++, entries[i % entries.length]);
          return { status: () => ({ count: cache.size, bytes: cache.calculatedSize }), count: () => cache.size };
        },
        retention() {
          const cache = new LRUCache({ maxSize: HUGE, sizeCalculation: sizeOf });
          return {
            fill(entries) {
              for (const entry of entries) cache.set(key++, entry);
            },
            evictAll() {
              while (cache.size > 0) cache.pop();
            },
            clear: () => cache.clear(),
            count: () => cache.size,
          };
        },
      };
    }
    case 'denque': {
      const { default: Denque } = await import('denque');
      // Entries and their sizes side by side, plus a running byte counter: the FIFO ceiling.
      const createQueue = () => {
        const queue = { entries: new Denque(), sizes: new Denque(), bytes: 0 };
        return queue;
      };
      const push = (queue, entry, measure = sizeOf) => {
        const size = measure(entry);
        queue.entries.push(entry);
        queue.sizes.push(size);
        queue.bytes += size;
      };
      const shift = (queue) => {
        queue.entries.shift();
        queue.bytes -= queue.sizes.shift();
      };
      const clear = (queue) => {
        queue.entries.clear();
        queue.sizes.clear();
        queue.bytes = 0;
      };
      return {
        budgeted(budget, size) {
          const queue = createQueue();
          return {
            append(entry) {
              push(queue, entry, size);
              while (queue.bytes > budget) shift(queue);
            },
            bytes: () => queue.bytes,
            count: () => queue.entries.length,
          };
        },
        fullBuffer(entries, ratio) {
          const queue = createQueue();
          const n = Math.ceil(ratio * entries.length);
          return {
            refill() {
              clear(queue);
              for (const entry of entries) push(queue, entry);
            },
            evict() {
              for (let i = 0; i < n; i += 1) shift(queue);
            },
            count: () => queue.entries.length,
          };
        },
        filled(count, entries) {
          const queue = createQueue();
          for (let i = 0; i < count; i += 1) push(queue, entries[i % entries.length]);
          return { status: () => ({ count: queue.entries.length, bytes: queue.bytes }), count: () => queue.entries.length };
        },
        retention() {
          const queue = createQueue();
          return {
            fill(entries) {
              for (const entry of entries) push(queue, entry);
            },
            evictAll() {
              while (queue.entries.length > 0) shift(queue);
            },
            clear: () => clear(queue),
            count: () => queue.entries.length,
          };
        },
      };
    }
    case 'mnemonist': {
      const { CircularBuffer } = await import('mnemonist');
      return {
        retention(count) {
          const ring = new CircularBuffer(Array, count);
          return {
            fill(entries) {
              for (const entry of entries) ring.push(entry);
            },
            evictAll() {
              while (ring.size > 0) ring.shift();
            },
            clear: () => ring.clear(),
            count: () => ring.size,
          };
        },
      };
    }
    default:
      throw new Error(`unknown library ${name}`);
  }
}

/**
 * S1: steady-state appends under a 1 MiB byte budget; every append pushes the store over it.
 * Measured twice: with the WebSocket size function (UTF-8 length + 200), and with the size
 * already on the entry, which leaves only what the structure itself costs.
 */
function runS1(adapter) {
  return {
    utf8: runS1With(adapter, sizeOf, { warmup: 60_000, perSample: 40_000 }),
    field: runS1With(adapter, sizeField, { warmup: 300_000, perSample: 200_000 }),
  };
}

function runS1With(adapter, size, { warmup, perSample }) {
  const budget = 1024 * 1024;
  const pool = createEntries(4096);
  const mask = pool.length - 1;
  const target = adapter.budgeted(budget, size);
  let i = 0;
  for (; i < warmup; i += 1) target.append(pool[i & mask]);
  const samples = [];
  for (let round = 0; round < 7; round += 1) {
    const start = now();
    const end = i + perSample;
    for (; i < end; i += 1) target.append(pool[i & mask]);
    samples.push(Number(now() - start) / perSample);
  }
  return { nsPerAppend: median(samples), heldBytes: target.bytes(), heldEntries: target.count(), budget };
}

/** The cost of an empty timed region, subtracted from short measurements. */
function timerOverheadNs() {
  const samples = [];
  for (let i = 0; i < 10_000; i += 1) {
    const start = now();
    samples.push(Number(now() - start));
  }
  return median(samples);
}

/** S2: one eviction pass over a full 500-entry buffer; refilling is not timed. */
function runS2(adapter) {
  const entries = createEntries(500, { seed: 7 });
  const overhead = timerOverheadNs();
  const result = {};
  for (const ratio of [0.25, 0.5]) {
    const target = adapter.fullBuffer(entries, ratio);
    const samples = [];
    for (let round = 0; round < 3_000; round += 1) {
      target.refill();
      const start = now();
      target.evict();
      const elapsed = Number(now() - start);
      if (round >= 500) samples.push(Math.max(0, elapsed - overhead));
      if (target.count() !== 500 - Math.ceil(ratio * 500)) throw new Error(`${library}: pass at ${ratio} left ${target.count()} entries`);
    }
    result[String(ratio)] = median(samples);
  }
  return { nsPerPass: result, timerOverheadNs: overhead };
}

/** S4: reading the memory status with 10 and with 100 000 entries held (warmed up, interleaved). */
function runS4(adapter) {
  const pool = createEntries(4096, { seed: 11 });
  const counts = [10, 100_000];
  const targets = counts.map((count) => {
    const target = adapter.filled(count, pool);
    if (target.count() !== count) throw new Error(`${library}: holds ${target.count()} of ${count}`);
    return target;
  });
  let sink = 0;
  const measure = (target, calls) => {
    const start = now();
    for (let i = 0; i < calls; i += 1) sink += target.status().totalBytes ?? 1;
    return Number(now() - start) / calls;
  };
  for (const target of targets) measure(target, 200_000);
  const samples = counts.map(() => []);
  for (let round = 0; round < 9; round += 1) {
    targets.forEach((target, i) => samples[i].push(measure(target, 200_000)));
  }
  if (sink === 0) throw new Error('unreachable');
  return { nsPerStatus: Object.fromEntries(counts.map((count, i) => [String(count), median(samples[i])])) };
}

/** Makes the entries and hands them over in its own frame, so no caller's register keeps the array. */
function fillWithFreshEntries(target, count) {
  target.fill(createEntries(count, { seed: 99, minLength: 4_096, maxLength: 16_384 }));
}

function heapAfterGc() {
  for (let i = 0; i < 4; i += 1) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** S5: heap still held once every entry has been evicted (or cleared), after a full GC. */
function runS5(adapter) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const count = 2_000;
  const result = {};
  for (const path of ['evictAll', 'clear']) {
    // A small untimed round first, so code compiled on first use is not counted as retained.
    const warm = adapter.retention(200);
    fillWithFreshEntries(warm, 200);
    warm[path]();
    const target = adapter.retention(count);
    const baseline = heapAfterGc();
    fillWithFreshEntries(target, count);
    const filled = heapAfterGc();
    target[path]();
    if (target.count() !== 0) throw new Error(`${library}: ${path} left ${target.count()} entries`);
    const after = heapAfterGc();
    result[path] = { filledBytes: filled - baseline, retainedBytes: Math.max(0, after - baseline) };
    // Keep the structure alive until measured.
    if (target.count() !== 0) throw new Error('unreachable');
  }
  return result;
}

const adapter = await loadAdapter(library);
const output = { library };
for (const scenario of scenarios) {
  if (scenario === 's1') output.s1 = runS1(adapter);
  else if (scenario === 's2') output.s2 = runS2(adapter);
  else if (scenario === 's4') output.s4 = runS4(adapter);
  else if (scenario === 's5') output.s5 = runS5(adapter);
  else throw new Error(`unknown scenario ${scenario}`);
}
process.stdout.write(`${JSON.stringify(output)}\n`);
