// Ring-buffer benchmark: @gov/ringbuffer-evictor (built) against lru-cache and denque, each
// library in its own process, the same entries and size function, several interleaved rounds.
// Usage: node tools/bench/ringbuffer/run.mjs [--rounds N]   (build the package first)
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
const SPEED_LIBRARIES = ['store', 'lru-cache', 'denque'];
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

const results = Object.fromEntries([...RETENTION_LIBRARIES].map((library) => [library, []]));
for (let round = 0; round < rounds; round += 1) {
  // Rotate the order so no library always runs first (or last) on a noisy machine.
  const order = SPEED_LIBRARIES.map((_, i) => SPEED_LIBRARIES[(i + round) % SPEED_LIBRARIES.length]);
  for (const library of order) {
    process.stderr.write(`round ${round + 1}/${rounds}: ${library}\n`);
    results[library].push(runWorker(library, ['s1', 's2', 's4']));
  }
}
const retention = {};
for (const library of RETENTION_LIBRARIES) {
  process.stderr.write(`retention: ${library}\n`);
  retention[library] = runWorker(library, ['s5']).s5;
}

const pick = (library, read) => median(results[library].map(read));
const fmt = (value, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const verdict = (ok) => (ok ? 'met' : 'NOT met');
const lines = [];
lines.push(`node ${process.version}, ${rounds} interleaved rounds per library (medians), one process per library and round`);

// S1
for (const [variant, title] of [
  ['utf8', 'S1 steady-state append, 1 MiB budget, size = UTF-8 length of data + 200 (computed per append)'],
  ['field', 'S1 steady-state append, 1 MiB budget, size read from the entry (the structures alone)'],
]) {
  const store = pick('store', (r) => r.s1[variant].nsPerAppend);
  const lru = pick('lru-cache', (r) => r.s1[variant].nsPerAppend);
  const denque = pick('denque', (r) => r.s1[variant].nsPerAppend);
  const spread = (library) => {
    const values = results[library].map((r) => r.s1[variant].nsPerAppend);
    return `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
  };
  lines.push('', title);
  lines.push(
    table(
      ['library', 'ns/append', 'rounds min–max', 'appends/s', 'store speed ÷ this'],
      [
        ['@gov/ringbuffer-evictor', fmt(store), spread('store'), fmt(1e9 / store), '1.00'],
        ['lru-cache (maxSize + sizeCalculation)', fmt(lru), spread('lru-cache'), fmt(1e9 / lru), fmt(lru / store, 2)],
        ['denque + byte counter', fmt(denque), spread('denque'), fmt(1e9 / denque), fmt(denque / store, 2)],
      ],
    ),
  );
  lines.push(
    `targets: ≥ 2× lru-cache → ${fmt(lru / store, 2)}× (${verdict(lru / store >= 2)}); within 1.2× of denque → store takes ${fmt(store / denque, 2)}× denque's time (${verdict(store / denque <= 1.2)})`,
  );
}

// S2
lines.push('', 'S2 one eviction pass over a full 500-entry buffer (refill not timed, timer overhead subtracted)');
const s2Rows = SPEED_LIBRARIES.map((library) => [
  library === 'store' ? '@gov/ringbuffer-evictor (check())' : library === 'lru-cache' ? 'lru-cache (pop × n)' : 'denque + counter (shift × n)',
  fmt(pick(library, (r) => r.s2.nsPerPass['0.25']) / 1000, 2),
  fmt(pick(library, (r) => r.s2.nsPerPass['0.5']) / 1000, 2),
]);
lines.push(table(['library', '25% pass (125) µs', '50% pass (250) µs'], s2Rows));
const s2Store = Math.max(pick('store', (r) => r.s2.nsPerPass['0.25']), pick('store', (r) => r.s2.nsPerPass['0.5'])) / 1000;
lines.push(`target: under 5 µs (the design asks 0.5 ms) → slowest store pass ${fmt(s2Store, 2)} µs (${verdict(s2Store < 5)})`);

// S4
lines.push('', 'S4 memory status read with 10 and with 100 000 entries held');
const s4Rows = SPEED_LIBRARIES.map((library) => {
  const small = pick(library, (r) => r.s4.nsPerStatus['10']);
  const large = pick(library, (r) => r.s4.nsPerStatus['100000']);
  return [
    library === 'store' ? '@gov/ringbuffer-evictor (memoryStatus())' : library === 'lru-cache' ? 'lru-cache (size, calculatedSize)' : 'denque + counter (length, bytes)',
    fmt(small, 1),
    fmt(large, 1),
    fmt(large / small, 2),
  ];
});
lines.push(table(['library', '10 entries ns', '100 000 entries ns', '100 000 ÷ 10'], s4Rows));
const s4Ratio = pick('store', (r) => r.s4.nsPerStatus['100000']) / pick('store', (r) => r.s4.nsPerStatus['10']);
lines.push(`target: flat from 10 to 100 000 (ratio ≤ 1.5 allowing for noise) → ${fmt(s4Ratio, 2)} (${verdict(s4Ratio <= 1.5)})`);

// S5
lines.push('', 'S5 heap retained after every entry is evicted / cleared (--expose-gc, full GC, 2 000 entries of 4–16 KiB)');
const s5Rows = RETENTION_LIBRARIES.map((library) => {
  const r = retention[library];
  return [
    library === 'store' ? '@gov/ringbuffer-evictor' : library === 'mnemonist' ? 'mnemonist CircularBuffer (control)' : library,
    fmt(r.evictAll.filledBytes / 1048576, 1),
    fmt(r.evictAll.retainedBytes / 1024, 0),
    fmt(r.clear.retainedBytes / 1024, 0),
  ];
});
lines.push(table(['library', 'held when full MiB', 'retained after evict KiB', 'retained after clear KiB'], s5Rows));
const storeRetained = Math.max(retention.store.evictAll.retainedBytes, retention.store.clear.retainedBytes);
const storeFilled = retention.store.evictAll.filledBytes;
lines.push(
  `target: retains nothing (under 2% of what it held, the rest is GC and code noise) → ${fmt((100 * storeRetained) / storeFilled, 2)}% (${verdict(storeRetained < storeFilled * 0.02)})`,
);

console.log(lines.join('\n'));
