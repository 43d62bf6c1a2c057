// `gov docker ls --json` against `docker stats --no-stream` at 1, 10 and 40 containers, in the
// same run on the same containers: wall time and the client's CPU (user + system of the command
// and everything it started). gov is run twice: answering from a running govd (its last
// listing), and alone (one listing of its own, no CPU sample). Run: npm run bench:docker-ls
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort, spread, triple } from '../common.mjs';

const GOV = fileURLToPath(new URL('../../../apps/cli/dist/gov.js', import.meta.url));
const GOVD = fileURLToPath(new URL('../../../apps/daemon/dist/govd.js', import.meta.url));
for (const program of [GOV, GOVD]) {
  if (!existsSync(program)) {
    process.stderr.write(`${program} is missing: build it first with "npm run build"\n`);
    process.exit(1);
  }
}

const COUNTS = (process.env.BENCH_COUNTS ?? '1,10,40').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const TARGET = 5;
const IMAGE = 'gov/busybox:test';
const prefix = `gov-ls-bench-${Date.now().toString(36)}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const docker = (args) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).trim();

/** Runs `file args` once; resolves with its wall time and the CPU time it and its children used (ms). */
function measure(file, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // /usr/bin/time reports the command's own rusage (children included) on its stderr.
    const child = spawn('/usr/bin/time', ['-f', 'gov-bench-rusage %U %S', file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      const match = /gov-bench-rusage ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !match) return reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr.slice(0, 300)}`));
      resolve({ wallMs, cpuMs: (Number(match[1]) + Number(match[2])) * 1000, stdout });
    });
  });
}



const ids = [];
let govd = null;
let dir = null;
const cleanUp = async () => {
  govd?.kill('SIGTERM');
  if (ids.length > 0) docker(['rm', '-f', ...ids.splice(0)]);
  if (dir) await rm(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  void cleanUp().finally(() => process.exit(130));
});

try {
  docker(['image', 'inspect', IMAGE]);
  dir = await mkdtemp(join(tmpdir(), 'gov-ls-bench-'));
  const port = await freePort();
  const withGovd = join(dir, 'with-govd.toml');
  const alone = join(dir, 'alone.toml');
  // Defaults otherwise: the advisor on, so govd lists the containers every 30 s tick.
  await writeFile(withGovd, `[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(join(dir, 'state'))}\n`);
  await writeFile(alone, `[daemon]\nlisten = "127.0.0.1:${await freePort()}"\nstate_dir = ${JSON.stringify(join(dir, 'state-alone'))}\n`);
  const rows = [];
  for (const count of COUNTS) {
    while (ids.length < count) ids.push(docker(['run', '-d', '--label', 'gov.test=1', '--name', `${prefix}-${ids.length}`, IMAGE, 'sleep', '3600']));
    // A govd started now lists them at its first tick; the API answers from that listing.
    govd?.kill('SIGTERM');
    await sleep(500);
    govd = spawn(process.execPath, [GOVD, '--config', withGovd, '--dry-run'], { stdio: 'ignore', env: { ...process.env, GOV_LOG_LEVEL: 'warn' } });
    for (let attempt = 0; ; attempt += 1) {
      const listing = await globalThis
        .fetch(`http://127.0.0.1:${port}/api/containers`)
        .then((response) => (response.ok ? response.json() : null))
        .catch(() => null);
      if (listing && ids.every((id) => listing.containers.some((container) => container.id === id))) break;
      if (attempt > 300) throw new Error('govd did not list the containers within 30 s');
      await sleep(100);
    }
    const onEngine = Number(docker(['info', '--format', '{{.ContainersRunning}}']));
    const results = { stats: [], govd: [], alone: [] };
    for (let repeat = 0; repeat < REPEATS; repeat += 1) {
      // Interleaved, so that all three see the same machine at about the same time.
      results.stats.push(await measure('docker', ['stats', '--no-stream', '--format', '{{json .}}'], {}));
      results.govd.push(await measure(process.execPath, [GOV, 'docker', 'ls', '--json'], { GOV_CONFIG: withGovd }));
      results.alone.push(await measure(process.execPath, [GOV, 'docker', 'ls', '--json'], { GOV_CONFIG: alone }));
    }
    const listed = JSON.parse(results.govd[0].stdout);
    if (listed.source?.from !== 'govd' || listed.containers.length < count) throw new Error(`gov docker ls did not answer from govd: ${results.govd[0].stdout.slice(0, 200)}`);
    rows.push({ count, onEngine, results });
    process.stderr.write(`${count} containers (${onEngine} running on the engine): done\n`);
  }

  process.stdout.write(`docker ls benchmark · Node ${process.version} · Docker ${docker(['version', '--format', '{{.Server.Version}}'])} · ${REPEATS} repeats, interleaved · min / median / max\n\n`);
  const header = ['containers', 'docker stats --no-stream ms', 'gov ls (govd) ms', 'gov ls (alone) ms', 'stats CPU ms', 'gov (govd) CPU ms', 'gov (alone) CPU ms'];
  const cells = rows.map(({ count, onEngine, results }) => [
    `${count} (${onEngine} running)`,
    triple(results.stats.map((r) => r.wallMs)),
    triple(results.govd.map((r) => r.wallMs)),
    triple(results.alone.map((r) => r.wallMs)),
    triple(results.stats.map((r) => r.cpuMs)),
    triple(results.govd.map((r) => r.cpuMs)),
    triple(results.alone.map((r) => r.cpuMs)),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i].length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n\n`);
  for (const { count, results } of rows) {
    // Per repeat: how many times faster gov answered than docker stats in the same round.
    const faster = results.stats.map((stats, i) => stats.wallMs / results.govd[i].wallMs);
    const fasterAlone = results.stats.map((stats, i) => stats.wallMs / results.alone[i].wallMs);
    const cpu = results.stats.map((stats, i) => results.govd[i].cpuMs / Math.max(stats.cpuMs, 1));
    const { median } = spread(faster);
    process.stdout.write(
      `${String(count).padStart(2)} containers: gov ls (govd) ${triple(faster, 1)}× faster than docker stats (target ≥ ${TARGET}×: ${median >= TARGET ? 'met' : 'MISSED'}); alone ${triple(fasterAlone, 1)}×; client CPU gov (govd) / docker stats ${triple(cpu, 2)}×\n`,
    );
  }
  process.stdout.write('(each ratio is taken within one round; docker stats pays a CPU sample per container, gov answers from govd\'s last 30 s listing)\n');
} finally {
  await cleanUp();
}
