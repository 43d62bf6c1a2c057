// Ring-buffer benchmark: @gov/ringbuffer-evictor (built) against lru-cache and denque, each
// library in its own process, the same entries, several interleaved rounds; every ratio is
// computed per round (both sides measured minutes apart at most) and shown as min / median / max.
// Usage: node tools/bench/ringbuffer/run.mjs [--rounds N]   (N ≥ 3; build the package first)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../../../packages/ringbuffer-evictor/dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  console.error(`${dist} is missing: run \`npx nx run @gov/ringbuffer-evictor:build\` first`);
  process.exit(1);
}

const roundsFlag = process.argv.indexOf('--rounds');
const rounds = roundsFlag === -1 ? 3 : Number(process.argv[roundsFlag + 1]);
if (!(Number.isInteger(rounds) && rounds >= 3)) {
  console.error(`--rounds ${process.argv[roundsFlag + 1]}: give a whole number of rounds, at least 3`);
  process.exit(2);
}
/** Each library and what it runs in every round. */
const PLAN = {
  store: ['s1', 's3', 's3-seed-cooldown', 's2', 's4'],
  'lru-cache': ['s1', 's3', 's2', 's4'],
  'lru-cache-length': ['s1'],
  denque: ['s1', 's3', 's2', 's4'],
};
const RETENTION_LIBRARIES = ['store', 'lru-cache', 'denque', 'mnemonist'];

function runWorker(library, scenarios) {
  const output = execFileSync(process.execPath, ['--expose-gc', worker, library, ...scenarios], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const libraries = Object.keys(PLAN);
const results = Object.fromEntries(libraries.map((library) => [library, []]));
for (let round = 0; round < rounds; round += 1) {
  // Rotate the order so no library always runs first (or last) on a noisy machine.
  const order = libraries.map((_, i) => libraries[(i + round) % libraries.length]);
  for (const library of order) {
    process.stderr.write(`round ${round + 1}/${rounds}: ${library}\n`);
    results[library].push(runWorker(library, PLAN[library]));
  }
}
const retention = {};
for (const library of RETENTION_LIBRARIES) {
  process.stderr.write(`retention: ${library}\n`);
  retention[library] = runWorker(library, ['s5']).s5;
}

const fmt = (value, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Values per round → "median (min–max)". */
const spread = (values, digits = 0) => `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
/** Per-round ratios → "min / median / max". */
const ratios = (values) => `${fmt(Math.min(...values), 2)} / ${fmt(median(values), 2)} / ${fmt(Math.max(...values), 2)}`;
const perRound = (library, read) => results[library].map(read);
const ratioPerRound = (numerator, denominator) => numerator.map((value, i) => value / denominator[i]);

function table(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const verdict = (ok) => (ok ? 'met' : 'NOT met');
const lines = [];
lines.push(`node ${process.version}, ${rounds} interleaved rounds, one process per library and round; cells are median (min–max) over rounds,`);
lines.push('ratios are computed per round and shown as min / median / max');
lines.push('entries: 8 192 distinct flat JSON strings, UTF-8 length uniform in 200 B – 4 KiB (mean 2.1 KB), 10% with non-ASCII text');
lines.push('budget: the design\'s limits 20 / 50 / 100 MiB; every peer keeps 20 MiB (the soft limit); the store runs without a cooldown');
lines.push('so that, like the peers, it evicts as soon as it is over the budget');

// S1
const S1_ROWS = {
  json: [
    ['store', '@gov/ringbuffer-evictor (its default size rule: UTF-8 bytes)'],
    ['lru-cache', 'lru-cache (sizeCalculation: Buffer.byteLength)'],
    ['denque', 'denque + Buffer.byteLength + byte counter'],
    ['store', '@gov/ringbuffer-evictor (sizeOf: value.length — inexact)', 'json-length'],
    ['lru-cache-length', 'lru-cache (sizeCalculation: value.length — inexact)'],
  ],
  sized: [
    ['store', '@gov/ringbuffer-evictor (sizeOf: entry.size)'],
    ['lru-cache', 'lru-cache (sizeCalculation: entry.size)'],
    ['denque', 'denque + entry.size + byte counter'],
  ],
};
for (const [kind, title] of [
  ['json', 'S1 steady-state append, each library sizing the strings its default way'],
  ['sized', 'S1 steady-state append, size read off the entry (the structures alone)'],
]) {
  const storeNs = perRound('store', (r) => r.s1[kind].nsPerAppend);
  const rows = S1_ROWS[kind].map(([library, label, variant = kind]) => {
    const ns = perRound(library, (r) => r.s1[variant].nsPerAppend);
    return [label, spread(ns), fmt(1e9 / median(ns)), library === 'store' && variant === kind ? '1.00' : ratios(ratioPerRound(ns, storeNs))];
  });
  lines.push('', title);
  lines.push(table(['library', 'ns/append', 'appends/s (median)', 'store speed ÷ this (min / median / max)'], rows));
  const lru = ratioPerRound(perRound('lru-cache', (r) => r.s1[kind].nsPerAppend), storeNs);
  const denque = ratioPerRound(storeNs, perRound('denque', (r) => r.s1[kind].nsPerAppend));
  lines.push(
    `targets: ≥ 2× lru-cache → ${fmt(median(lru), 2)}× median, ${fmt(Math.min(...lru), 2)}× worst round (${verdict(median(lru) >= 2)}); ` +
      `store time ÷ denque time → ${ratios(denque)}`,
  );
  if (kind === 'json') {
    const inexact = ratioPerRound(
      perRound('lru-cache-length', (r) => r.s1.json.nsPerAppend),
      perRound('store', (r) => r.s1['json-length'].nsPerAppend),
    );
    lines.push(`both sized by value.length (inexact, no counting): store speed ÷ lru-cache → ${ratios(inexact)}`);
  }
}

// S3
lines.push('', 'S3 append latency at the design\'s limits, default sizing, 1 000 000 appends timed one by one (ns, timer included)');
const S3_ROWS = [
  ['store', (r) => r.s3, '@gov/ringbuffer-evictor, no cooldown'],
  ['store', (r) => r.s3SeedCooldown, '@gov/ringbuffer-evictor, the design\'s 1 s cooldown'],
  ['denque', (r) => r.s3, 'denque + Buffer.byteLength + byte counter'],
  ['lru-cache', (r) => r.s3, 'lru-cache (sizeCalculation: Buffer.byteLength)'],
];
lines.push(
  table(
    ['library', 'p50', 'p99', 'p99.9', 'p99.99', 'max'],
    S3_ROWS.map(([library, read, label]) => [
      label,
      fmt(median(perRound(library, (r) => read(r).p50))),
      fmt(median(perRound(library, (r) => read(r).p99))),
      spread(perRound(library, (r) => read(r).p999)),
      fmt(median(perRound(library, (r) => read(r).p9999))),
      fmt(median(perRound(library, (r) => read(r).max))),
    ]),
  ),
);
const p999 = ratioPerRound(
  perRound('store', (r) => r.s3.p999),
  perRound('denque', (r) => r.s3.p999),
);
lines.push(`target: store p99.9 within 5× of denque's → ${ratios(p999)} (${verdict(median(p999) <= 5)})`);
for (const [read, label] of [
  [(r) => r.s3, 'no cooldown'],
  [(r) => r.s3SeedCooldown, 'the design\'s 1 s cooldown'],
]) {
  const adds = perRound('store', (r) => read(r).evictingAdds);
  lines.push(
    `store, ${label}: ${fmt(median(adds))} of the 1 000 000 adds ran an eviction cycle (holding ${fmt(median(perRound('store', (r) => read(r).heldEntries)))} entries at the end); ` +
      `such an add took ${spread(perRound('store', (r) => read(r).evictingMedian ?? 0))} ns (median per round)`,
  );
}

// S2
lines.push('', 'S2 one eviction pass over a full 500-entry buffer through check() (unlink and release; refill not timed, timer overhead subtracted)');
const name = (library, store, lru, denque) => (library === 'store' ? store : library === 'lru-cache' ? lru : denque);
const S2_LIBRARIES = ['store', 'lru-cache', 'denque'];
lines.push(
  table(
    ['library', '25% pass (125) µs', '50% pass (250) µs'],
    S2_LIBRARIES.map((library) => [
      name(library, '@gov/ringbuffer-evictor (check())', 'lru-cache (pop × n)', 'denque + counter (shift × n)'),
      fmt(median(perRound(library, (r) => r.s2.nsPerPass['0.25'])) / 1000, 2),
      fmt(median(perRound(library, (r) => r.s2.nsPerPass['0.5'])) / 1000, 2),
    ]),
  ),
);
const s2Store = Math.max(median(perRound('store', (r) => r.s2.nsPerPass['0.25'])), median(perRound('store', (r) => r.s2.nsPerPass['0.5']))) / 1000;
lines.push(`target: under 5 µs (the design asks 0.5 ms) → slowest store pass ${fmt(s2Store, 2)} µs (${verdict(s2Store < 5)})`);

// S4
lines.push('', 'S4 memory status read with 10 and with 100 000 entries held');
lines.push(
  table(
    ['library', '10 entries ns', '100 000 entries ns', '100 000 ÷ 10'],
    S2_LIBRARIES.map((library) => {
      const small = median(perRound(library, (r) => r.s4.nsPerStatus['10']));
      const large = median(perRound(library, (r) => r.s4.nsPerStatus['100000']));
      return [name(library, '@gov/ringbuffer-evictor (memoryStatus())', 'lru-cache (size, calculatedSize)', 'denque + counter (length, bytes)'), fmt(small, 1), fmt(large, 1), fmt(large / small, 2)];
    }),
  ),
);
const s4Ratio = median(perRound('store', (r) => r.s4.nsPerStatus['100000'])) / median(perRound('store', (r) => r.s4.nsPerStatus['10']));
lines.push(`target: flat from 10 to 100 000 (ratio ≤ 1.5 allowing for noise) → ${fmt(s4Ratio, 2)} (${verdict(s4Ratio <= 1.5)})`);

// S5
lines.push('', 'S5 heap retained after every entry is evicted / cleared (--expose-gc, full GC, 2 000 entries of 4–16 KiB)');
lines.push(
  table(
    ['library', 'held when full MiB', 'retained after evict KiB', 'retained after clear KiB'],
    RETENTION_LIBRARIES.map((library) => {
      const r = retention[library];
      return [
        library === 'store' ? '@gov/ringbuffer-evictor' : library === 'mnemonist' ? 'mnemonist CircularBuffer (control)' : library,
        fmt(r.evictAll.filledBytes / 1048576, 1),
        fmt(r.evictAll.retainedBytes / 1024, 0),
        fmt(r.clear.retainedBytes / 1024, 0),
      ];
    }),
  ),
);
const storeRetained = Math.max(retention.store.evictAll.retainedBytes, retention.store.clear.retainedBytes);
const storeFilled = retention.store.evictAll.filledBytes;
lines.push(
  `target: retains nothing (under 2% of what it held, the rest is GC and code noise) → ${fmt((100 * storeRetained) / storeFilled, 2)}% (${verdict(storeRetained < storeFilled * 0.02)})`,
);

console.log(lines.join('\n'));
