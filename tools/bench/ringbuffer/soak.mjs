// Soak: ingest random sizes at full speed into the capture-server preset for a while (60 s by
// default) under a 4, 8 and 16 MiB budget, each in its own process. The budget is the critical
// limit; soft and hard keep the design's proportions (20 / 50 / 100). Entry sizes are uniform
// (WebSocket data up to 32 KB, response bodies up to 200 KB) so that full buffers would hold
// ~18 MB: the byte limits, not the capacities, are what bind. Checks, on the total after every
// add: never over critical, never over hard for more than 2 s in a row; and the heap after a full
// GC stays bounded (last quarter's peak within 1.25× of the first quarter's).
// Usage: node tools/bench/ringbuffer/soak.mjs [--seconds 60] [--budgets 4,8,16]   (build first)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRandom } from './entries.mjs';

const MIB = 1024 * 1024;
const dist = new URL('../../../packages/ringbuffer-evictor/dist/gasoline/index.js', import.meta.url);

function flag(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : process.argv[index + 1];
}

async function soak(budgetMiB, seconds) {
  const { createGasolineStore } = await import(dist.href);
  const critical = budgetMiB * MIB;
  const limits = { softBytes: Math.round(critical * 0.2), hardBytes: Math.round(critical * 0.5), criticalBytes: critical };
  const store = createGasolineStore({ limits });
  const random = createRandom(budgetMiB);
  // Payload text is cut from one long string (cheap), then copied into a fresh string per entry
  // so every entry owns its memory, as captured data would.
  const source = 'abcdefghijklmnopqrstuvwxyz0123456789{}[]":,é€'.repeat(8_000);
  const text = (maxLength) => {
    const length = Math.floor(random() * maxLength);
    const start = Math.floor(random() * (source.length - length));
    return JSON.parse(JSON.stringify(source.slice(start, start + length)));
  };

  const [websocketMax, responseMax] = [32_000, 200_000];
  let overCritical = 0;
  let maxTotal = 0;
  let overHardSince = null;
  let longestOverHardMs = 0;
  let operations = 0;
  let rejected = 0;
  const heapSamples = [];
  const startedAt = performance.now();
  let nextHeapSampleAt = startedAt;
  const endAt = startedAt + seconds * 1000;

  for (let now = startedAt; now < endAt; now = performance.now()) {
    for (let burst = 0; burst < 50; burst += 1) {
      const pick = random();
      let result;
      if (pick < 0.6) {
        const events = Array.from({ length: 1 + Math.floor(random() * 10) }, () => ({ type: 'message', data: text(websocketMax) }));
        result = store.addWebSocketEvents(events);
      } else if (pick < 0.85) {
        const bodies = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
          url: 'https://example.test/api',
          requestBody: text(4_000),
          responseBody: text(responseMax),
        }));
        result = store.addNetworkBodies(bodies);
      } else {
        result = store.addEnhancedActions(Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({ type: 'click', selector: '#go' })));
      }
      rejected += result.rejected;
      operations += 1;
      const total = store.memoryStatus().total_bytes;
      if (total > critical) overCritical += 1;
      if (total > maxTotal) maxTotal = total;
      if (total > limits.hardBytes) {
        const at = performance.now();
        overHardSince ??= at;
        longestOverHardMs = Math.max(longestOverHardMs, at - overHardSince);
      } else {
        overHardSince = null;
      }
    }
    if (now >= nextHeapSampleAt) {
      globalThis.gc();
      heapSamples.push(process.memoryUsage().heapUsed);
      nextHeapSampleAt += 1_000;
    }
  }
  const status = store.memoryStatus();
  const quarter = Math.max(1, Math.floor(heapSamples.length / 4));
  const firstQuarterPeak = Math.max(...heapSamples.slice(Math.min(quarter, heapSamples.length - 1), 2 * quarter));
  const lastQuarterPeak = Math.max(...heapSamples.slice(-quarter));
  return {
    budgetMiB,
    seconds,
    operations,
    rejected,
    maxTotalBytes: maxTotal,
    criticalBytes: critical,
    hardBytes: limits.hardBytes,
    overCritical,
    longestOverHardMs,
    totalEvictions: status.total_evictions,
    evictedEntries: status.evicted_entries,
    minimalMode: status.minimal_mode,
    heapPeakBytes: Math.max(...heapSamples),
    firstQuarterPeak,
    lastQuarterPeak,
  };
}

if (process.argv.includes('--child')) {
  const result = await soak(Number(flag('--budget', '4')), Number(flag('--seconds', '60')));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  if (!existsSync(fileURLToPath(dist))) {
    console.error('packages/ringbuffer-evictor/dist is missing: run `npx nx run @gov/ringbuffer-evictor:build` first');
    process.exit(1);
  }
  const seconds = flag('--seconds', '60');
  const budgets = flag('--budgets', '4,8,16').split(',');
  const rows = [];
  let allMet = true;
  for (const budget of budgets) {
    process.stderr.write(`soak: ${budget} MiB for ${seconds} s\n`);
    const output = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', '--budget', budget, '--seconds', seconds], {
      encoding: 'utf8',
    });
    const r = JSON.parse(output.trim().split('\n').at(-1));
    const heapBounded = r.lastQuarterPeak <= r.firstQuarterPeak * 1.25;
    const met = r.overCritical === 0 && r.longestOverHardMs <= 2_000 && heapBounded;
    allMet &&= met;
    const mib = (bytes) => (bytes / MIB).toFixed(2);
    rows.push([
      `${budget} MiB`,
      r.operations.toLocaleString('en-US'),
      r.rejected.toLocaleString('en-US'),
      `${mib(r.maxTotalBytes)} / ${mib(r.criticalBytes)}`,
      String(r.overCritical),
      `${Math.round(r.longestOverHardMs)}`,
      `${r.totalEvictions} / ${r.evictedEntries.toLocaleString('en-US')}`,
      r.minimalMode ? 'yes' : 'no',
      `${mib(r.firstQuarterPeak)} → ${mib(r.lastQuarterPeak)} (peak ${mib(r.heapPeakBytes)})`,
      met ? 'met' : 'NOT met',
    ]);
  }
  const headers = [
    'budget',
    'adds',
    'rejected entries',
    'max total / critical MiB',
    'adds leaving it over critical',
    'longest over hard ms',
    'cycles / evicted',
    'minimal mode',
    'heap after GC MiB, first → last quarter',
    'verdict',
  ];
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`node ${process.version}, ${seconds} s per budget, capture-server preset, limits 20% / 50% / 100% of the budget`);
  console.log([line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
  process.exitCode = allMet ? 0 : 1;
}
