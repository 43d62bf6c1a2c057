// govd's idle footprint — resident memory and CPU at the default 30 s tick — side by side with
// its peers in the same run: bare `node` running a setInterval, and earlyoom (a C daemon that
// polls /proc/meminfo). Run: npm run bench:footprint
//
// Each repeat starts the three processes afresh, lets them settle, then measures CPU over the
// same window for all three and reads their RSS at its end. The machine is shared, so a ratio is
// only meaningful between processes measured at the same time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort, spread, triple } from '../common.mjs';

const GOVD = fileURLToPath(new URL('../../../apps/daemon/dist/govd.js', import.meta.url));
if (!existsSync(GOVD)) {
  process.stderr.write(`${GOVD} is missing: build it first with "npx nx run @gov/daemon:build"\n`);
  process.exit(1);
}

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 300);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 20);
// Idle containers this benchmark starts for its run (the engine may hold others'); default none.
const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 0);
const IMAGE = 'gov/busybox:test';
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const RSS_TARGET = 1.2;
const CPU_TARGET = 0.1;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const has = (program) => {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * CPU time the process has used so far: per thread in nanoseconds (`schedstat`), and for the
 * whole process in clock ticks (`stat`: utime + stime, threads that ended included).
 */
function cpuReading(pid) {
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9);
    } catch {
      // the thread ended meanwhile
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces: the fields start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { threads, ticksS: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
}

/** CPU seconds between two readings: nanosecond-exact while no thread ended, else the clock-tick count. */
function cpuBetween(start, end) {
  const kept = [...start.threads.keys()].every((tid) => end.threads.has(tid));
  if (!kept) return end.ticksS - start.ticksS;
  let total = 0;
  for (const [tid, seconds] of end.threads) total += seconds - (start.threads.get(tid) ?? 0);
  return total;
}

/** Resident memory in MiB (VmRSS: anonymous, file-backed and shared pages). */
function rssMiB(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) / 1024;
}


async function startGovd(dir) {
  const port = await freePort();
  const config = join(dir, 'config.toml');
  // Built-in defaults (dynamic policy, advisor on, 30 s tick) with a private port and state dir;
  // --dry-run so that a benchmark on a shared machine never reclaims for real.
  await writeFile(config, `[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(join(dir, 'state'))}\n`);
  const child = spawn(process.execPath, [GOVD, '--config', config, '--dry-run'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GOV_LOG_LEVEL: 'warn' } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`govd exited: ${stderr}`);
    try {
      const response = await globalThis.fetch(`${base}/api/status`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300) throw new Error('govd did not answer within 30 s');
    await sleep(100);
  }
  return { name: 'govd', child, base };
}

function startPeer(name, file, args) {
  const child = spawn(file, args, { stdio: 'ignore' });
  return { name, child };
}

/** The minimum-daemon peer bundled as govd is (one ESM file, comments stripped), into `dir`. */
async function bundleMinimumDaemon(dir) {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'minimum-daemon.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('minimum-daemon.mjs', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    outfile,
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

async function runRepeat(index) {
  const dir = await mkdtemp(join(tmpdir(), 'gov-footprint-'));
  const processes = [];
  try {
    processes.push(await startGovd(dir));
    processes.push(startPeer('bare node', process.execPath, ['-e', 'setInterval(() => {}, 30_000)']));
    // The floor of any Node daemon with a local HTTP API: an ES module that listens, and nothing else.
    processes.push(startPeer('node + HTTP server', process.execPath, ['--input-type=module', '-e', "import { createServer } from 'node:http'; createServer().listen(0, '127.0.0.1'); setInterval(() => {}, 30_000);"]));
    // What govd's own libraries cost at the least: HTTP, zod, pino, prom-client, bundled as govd is.
    processes.push(startPeer('minimum daemon', process.execPath, [await bundleMinimumDaemon(dir)]));
    if (has('earlyoom')) processes.push(startPeer('earlyoom', 'earlyoom', ['--dryrun', '-r', '0']));
    await sleep(SETTLE_S * 1000);
    for (const entry of processes) if (entry.child.exitCode !== null) throw new Error(`${entry.name} exited early`);
    const cpuStart = processes.map((entry) => cpuReading(entry.child.pid));
    const wallStart = performance.now();
    const peaks = processes.map(() => 0);
    const deadline = wallStart + WINDOW_S * 1000;
    while (performance.now() < deadline) {
      processes.forEach((entry, i) => (peaks[i] = Math.max(peaks[i], rssMiB(entry.child.pid))));
      await sleep(Math.min(5000, Math.max(0, deadline - performance.now())));
    }
    const wallS = (performance.now() - wallStart) / 1000;
    const rows = processes.map((entry, i) => ({
      name: entry.name,
      rss: rssMiB(entry.child.pid),
      peak: Math.max(peaks[i], rssMiB(entry.child.pid)),
      cpuPercent: (cpuBetween(cpuStart[i], cpuReading(entry.child.pid)) / wallS) * 100,
    }));
    const status = await (await globalThis.fetch(`${processes[0].base}/api/status`)).json();
    const containers = await (await globalThis.fetch(`${processes[0].base}/api/containers`)).json();
    // What govd says its ticks took, next to the CPU it used per tick.
    const metrics = await (await globalThis.fetch(`${processes[0].base}/metrics`)).text();
    const metric = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const tickMs = (metric('gov_tick_duration_seconds_sum') / metric('gov_tick_duration_seconds_count')) * 1000;
    const cpuPerTickMs = ((rows[0].cpuPercent / 100) * wallS * 1000) / (wallS / 30);
    process.stderr.write(
      `repeat ${index + 1}: ${rows.map((row) => `${row.name} ${row.rss.toFixed(1)} MiB ${row.cpuPercent.toFixed(3)}%`).join(' · ')} · ${status.ticks} ticks, ${containers.containers.length} containers\n`,
    );
    process.stderr.write(`  govd: mean tick ${tickMs.toFixed(2)} ms by gov_tick_duration_seconds, ${cpuPerTickMs.toFixed(1)} ms of CPU per 30 s of window\n`);
    return { rows, ticks: status.ticks, containers: containers.containers.length, tickMs, cpuPerTickMs };
  } finally {
    for (const entry of processes) entry.child.kill('SIGTERM');
    await sleep(500);
    await rm(dir, { recursive: true, force: true });
  }
}


process.stderr.write(`footprint: ${REPEATS} repeats × (${SETTLE_S} s settle + ${WINDOW_S} s window)…\n`);
const docker = (args) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).trim();
const containerIds = [];
const removeContainers = () => {
  if (containerIds.length > 0) docker(['rm', '-f', ...containerIds.splice(0)]);
};
process.on('SIGINT', () => {
  removeContainers();
  process.exit(130);
});
const results = [];
try {
  const prefix = `gov-footprint-${Date.now().toString(36)}`;
  for (let index = 0; index < CONTAINERS; index += 1) containerIds.push(docker(['run', '-d', '--label', 'gov.test=1', '--name', `${prefix}-${index}`, IMAGE, 'sleep', '3600']));
  for (let index = 0; index < REPEATS; index += 1) results.push(await runRepeat(index));
} finally {
  removeContainers();
}

const names = results[0].rows.map((row) => row.name);
const column = (name, key) => results.map((result) => result.rows.find((row) => row.name === name)[key]);
process.stdout.write(`footprint benchmark · Node ${process.version} · ${REPEATS} repeats · ${WINDOW_S} s window after ${SETTLE_S} s · containers on the engine: ${results.map((r) => r.containers).join(', ')}\n\n`);
const header = ['process', 'RSS MiB min / median / max', 'peak RSS MiB (median)', 'CPU % min / median / max'];
const cells = names.map((name) => [name, triple(column(name, 'rss'), 1), spread(column(name, 'peak')).median.toFixed(1), triple(column(name, 'cpuPercent'), 3)]);
const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i].length)));
const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n\n`);

const rssRatios = results.map((result) => result.rows[0].rss / result.rows[1].rss);
const govdCpu = column('govd', 'cpuPercent');
const { median: ratioMedian } = spread(rssRatios);
const { median: cpuMedian } = spread(govdCpu);
process.stdout.write(`govd RSS / bare node RSS   ${triple(rssRatios, 2, '×')}  (target ≤ ${RSS_TARGET}×: ${ratioMedian <= RSS_TARGET ? 'met' : 'MISSED'})\n`);
process.stdout.write(`govd CPU at the 30 s tick  ${triple(govdCpu, 3, '%')}  (target ≤ ${CPU_TARGET}%: ${cpuMedian <= CPU_TARGET ? 'met' : 'MISSED'})\n`);
const rssOf = (result, name) => result.rows.find((row) => row.name === name).rss;
for (const floor of ['node + HTTP server', 'minimum daemon']) {
  process.stdout.write(`${floor} RSS / bare node RSS   ${triple(results.map((result) => rssOf(result, floor) / rssOf(result, 'bare node')), 2, '×')}   govd / it: ${triple(results.map((result) => rssOf(result, 'govd') / rssOf(result, floor)), 2, '×')}\n`);
}
if (names.includes('earlyoom')) process.stdout.write(`govd RSS / earlyoom RSS    ${triple(results.map((result) => rssOf(result, 'govd') / rssOf(result, 'earlyoom')), 1, '×')}\n`);
process.stdout.write(`govd tick, mean by gov_tick_duration_seconds  ${triple(results.map((result) => result.tickMs), 2, ' ms')}; govd CPU per 30 s tick ${triple(results.map((result) => result.cpuPerTickMs), 1, ' ms')}\n`);
process.stdout.write('(min / median / max over the repeats; each ratio is taken within one repeat)\n');
