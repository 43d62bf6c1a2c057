// One library, one process: `node --expose-gc worker.mjs <library> <scenario...>` prints a JSON
// result line. Libraries: store (the built @gov/ringbuffer-evictor), lru-cache, lru-cache-length
// (lru-cache sized by string length, S1 only), denque, mnemonist (retention control only).
// Scenarios: s1 (append throughput), s3 (append latency), s2, s4, s5.
import { createEntries, createJsonEntries, SEED_LIMITS, sizeOf, withSizes } from './entries.mjs';

const DIST = new URL('../../../packages/ringbuffer-evictor/dist/index.js', import.meta.url);
const HUGE = 1e12;

const [library, ...scenarios] = process.argv.slice(2);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const now = () => process.hrtime.bigint();
/** Each library's natural byte count for a JSON string, as its user would write it. */
const byteLength = (text) => Buffer.byteLength(text);
const readSize = (entry) => entry.size;
const textLength = (text) => text.length;

/** Adapters: the same operations written the natural way for each library. */
async function loadAdapter(name) {
  switch (name) {
    case 'store': {
      const { createBufferStore } = await import(DIST.href);
      const create = (capacity, limits, size, cooldownMs = 0) =>
        createBufferStore({
          buffers: { messages: size === undefined ? { capacity, priority: 0 } : { capacity, priority: 0, sizeOf: size } },
          limits: { softBytes: limits.soft, hardBytes: limits.hard ?? HUGE, criticalBytes: limits.critical ?? HUGE },
          cooldownMs,
        });
      return {
        // json: the store's own default size rule (UTF-8 bytes); json-length: `value.length`, as
        // the inexact lru-cache row; sized: the size read off the entry.
        budgeted(kind, { cooldownMs = 0 } = {}) {
          const size = kind === 'sized' ? readSize : kind === 'json-length' ? textLength : undefined;
          const store = create(1 << 22, { soft: SEED_LIMITS.softBytes, hard: SEED_LIMITS.hardBytes, critical: SEED_LIMITS.criticalBytes }, size, cooldownMs);
          return { append: (entry) => store.add('messages', [entry]), bytes: () => store.totalBytes(), count: () => store.count('messages') };
        },
        fullBuffer(entries, ratio) {
          const full = entries.reduce((sum, entry) => sum + sizeOf(entry), 0);
          const n = Math.ceil(ratio * entries.length);
          const oldest = entries.slice(0, n).reduce((sum, entry) => sum + sizeOf(entry), 0);
          // 25%: a soft pass that lands exactly on soft; 50%: the hard pass.
          const limits = ratio === 0.25 ? { soft: full - oldest } : { soft: 1, hard: full - 1 };
          const store = create(entries.length, limits, sizeOf);
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
          const store = create(count, { soft: HUGE }, sizeOf);
          for (let i = 0; i < count; i += 1) store.add('messages', [entries[i % entries.length]]);
          return { status: () => store.memoryStatus(), count: () => store.count('messages') };
        },
        retention(count) {
          const store = create(count, { soft: 1 }, sizeOf);
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
    case 'lru-cache':
    case 'lru-cache-length': {
      const { LRUCache } = await import('lru-cache');
      // The obvious byte count for a string value: its UTF-8 length (or, in lru-cache-length,
      // `value.length`, UTF-16 units: cheaper, and wrong by up to 3× for non-ASCII text).
      const textSize = name === 'lru-cache' ? byteLength : textLength;
      let key = 0;
      return {
        budgeted(kind) {
          const cache = new LRUCache({ maxSize: SEED_LIMITS.softBytes, sizeCalculation: kind === 'sized' ? readSize : textSize });
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
      // denque has no sizing: entries and their sizes side by side, plus a running byte counter,
      // evicting the oldest while over the budget — the least work a FIFO can do for the same job.
      const createQueue = () => ({ entries: new Denque(), sizes: new Denque(), bytes: 0 });
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
        budgeted(kind) {
          const queue = createQueue();
          const measure = kind === 'sized' ? readSize : byteLength;
          const budget = SEED_LIMITS.softBytes;
          return {
            append(entry) {
              push(queue, entry, measure);
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

const POOL_SIZE = 8192;

/** The JSON strings every append scenario cycles through, and the same with sizes precomputed. */
function pools() {
  const texts = createJsonEntries(POOL_SIZE);
  return { json: texts, sized: withSizes(texts) };
}

/**
 * S1: steady-state appends under the seed's soft limit as the byte budget (20 MiB). `json`: each
 * library counts the bytes of each string its default way; `sized`: the size is read off the
 * entry, which leaves what the structure itself costs.
 */
function runS1(adapter, pool) {
  const kinds = adapter.name === 'lru-cache-length' ? ['json'] : adapter.name === 'store' ? ['json', 'json-length', 'sized'] : ['json', 'sized'];
  return Object.fromEntries(kinds.map((kind) => [kind, runThroughput(adapter.budgeted(kind), kind === 'sized' ? pool.sized : pool.json)]));
}

function runThroughput(target, entries) {
  const mask = entries.length - 1;
  const perSample = 100_000;
  let i = 0;
  // Past the budget several times over, so every library is in its evicting steady state.
  for (; i < 300_000; i += 1) target.append(entries[i & mask]);
  const samples = [];
  for (let round = 0; round < 7; round += 1) {
    const start = now();
    const end = i + perSample;
    for (; i < end; i += 1) target.append(entries[i & mask]);
    samples.push(Number(now() - start) / perSample);
  }
  return { nsPerAppend: median(samples), heldBytes: target.bytes(), heldEntries: target.count() };
}

/**
 * S3: the latency of each append at the seed's limits, JSON strings, default sizing: 1 000 000
 * appends timed one by one after a warm-up. `seedCooldown` runs the store with the design's 1 s
 * cooldown instead of none, which a tight loop turns into critical clears.
 */
function runS3(adapter, pool, options = {}) {
  const target = adapter.budgeted('json', options);
  const entries = pool.json;
  const mask = entries.length - 1;
  let i = 0;
  for (; i < 300_000; i += 1) target.append(entries[i & mask]);
  const count = 1_000_000;
  const latencies = new Float64Array(count);
  // The store says which adds ran an eviction cycle: their latencies are kept apart as well.
  const evicting = [];
  for (let n = 0; n < count; n += 1, i += 1) {
    const start = now();
    const result = target.append(entries[i & mask]);
    const elapsed = Number(now() - start);
    latencies[n] = elapsed;
    if (result?.evicted > 0) evicting.push(elapsed);
  }
  latencies.sort();
  const at = (quantile) => latencies[Math.min(count - 1, Math.floor(quantile * count))];
  return {
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    p9999: at(0.9999),
    max: latencies[count - 1],
    evictingAdds: evicting.length,
    evictingMedian: evicting.length === 0 ? null : median(evicting),
    heldEntries: target.count(),
  };
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

{
  const adapter = { name: library, ...(await loadAdapter(library)) };
  const pool = scenarios.some((scenario) => scenario.startsWith('s1') || scenario.startsWith('s3')) ? pools() : null;
  const output = { library };
  for (const scenario of scenarios) {
    if (scenario === 's1') output.s1 = runS1(adapter, pool);
    else if (scenario === 's3') output.s3 = runS3(adapter, pool);
    else if (scenario === 's3-seed-cooldown') output.s3SeedCooldown = runS3(adapter, pool, { cooldownMs: 1_000 });
    else if (scenario === 's2') output.s2 = runS2(adapter);
    else if (scenario === 's4') output.s4 = runS4(adapter);
    else if (scenario === 's5') output.s5 = runS5(adapter);
    else throw new Error(`unknown scenario ${scenario}`);
  }
  process.stdout.write(`${JSON.stringify(output)}\n`);
}
