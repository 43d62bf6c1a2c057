// What parsing costs govd on each tick, as a share of the tick, for the parsers of the built
// @gov/meminfo and (optionally) of a second build to compare with. Run: npm run bench:meminfo-tick
//
// One tick parses /proc/meminfo, /proc/pressure/memory, /proc/vmstat and /proc/stat, and one
// cgroup memory.stat per container sampled. The texts are this machine's own, read once, so
// only parsing is timed; reading the same four files raw is timed too, as the peer that says
// how parsing compares with the IO it follows.
//
//   BASELINE_DIST=/path/to/other/meminfo/dist  parse with that build as well, interleaved
//   BENCH_CONTAINERS=50                          memory.stat files parsed per tick
//   TICK_SECS=30                                 govd's default check_interval_secs
import { existsSync, readFile, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const current = fileURLToPath(new URL('../../../packages/meminfo/dist/model.js', import.meta.url));
if (!existsSync(current)) {
  process.stderr.write(`${current} is missing: build it first with "npx nx run @gov/meminfo:build"\n`);
  process.exit(1);
}
const builds = [['this build', await import(current)]];
if (process.env.BASELINE_DIST) builds.push([`baseline (${process.env.BASELINE_DIST})`, await import(`${process.env.BASELINE_DIST.replace(/\/$/, '')}/model.js`)]);

const FILES = ['/proc/meminfo', '/proc/pressure/memory', '/proc/vmstat', '/proc/stat'];
const [meminfo, pressure, vmstat, stat] = FILES.map((path) => readFileSync(path, 'utf8'));
// A cgroup memory.stat of this machine: v2 at the root, else the v1 memory hierarchy's root.
const memoryStatPath = ['/sys/fs/cgroup/memory.stat', '/sys/fs/cgroup/memory/memory.stat'].find((path) => existsSync(path));
const memoryStat = memoryStatPath ? readFileSync(memoryStatPath, 'utf8') : '';
const CONTAINERS = memoryStatPath ? Number(process.env.BENCH_CONTAINERS ?? 50) : 0;
const TICK_SECS = Number(process.env.TICK_SECS ?? 30);

const tick = (parsers) => () => {
  parsers.parseLinuxMemory(meminfo);
  parsers.parsePressure(pressure);
  parsers.parseVmstat(vmstat);
  parsers.parseCpuTimes(stat);
  for (let container = 0; container < CONTAINERS; container += 1) parsers.parseMemoryStat(memoryStat);
};
const readText = (path) => new Promise((resolve, reject) => readFile(path, 'utf8', (error, text) => (error ? reject(error) : resolve(text))));

const tasks = [
  ...builds.map(([name, parsers]) => [`parse one tick: ${name}`, tick(parsers)]),
  ['peer: readFile of the four /proc files, no parsing', () => Promise.all(FILES.map(readText))],
];

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const medians = new Map(tasks.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  for (let index = 0; index < tasks.length; index += 1) bench.add(...tasks[(index + round) % tasks.length]);
  await bench.run();
  for (const task of bench.tasks) medians.get(task.name).push(task.result.latency.p50);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ratio = (numerator, denominator) => median(medians.get(numerator).map((value, round) => value / medians.get(denominator)[round]));

const bytes = [meminfo, pressure, vmstat, stat].reduce((sum, text) => sum + text.length, 0) + CONTAINERS * memoryStat.length;
process.stdout.write(`meminfo parse cost per govd tick · Node ${process.version} · ${ROUNDS} rounds × ${TIME_MS} ms per task\n`);
process.stdout.write(`one tick: 4 /proc files + ${CONTAINERS} × ${memoryStatPath ?? 'memory.stat'} (${memoryStat.length} bytes) = ${bytes} bytes of text; tick every ${TICK_SECS} s\n\n`);
const peer = tasks.at(-1)[0];
for (const [name] of tasks) {
  const ms = median(medians.get(name));
  const share = ms / (TICK_SECS * 1000);
  process.stdout.write(`${name.padEnd(60)} ${(ms * 1000).toFixed(1).padStart(9)} µs per tick  ${(share * 100).toExponential(2).padStart(9)} % of the tick${name === peer ? '' : `  ${ratio(name, peer).toFixed(2)}× the peer`}\n`);
}
if (builds.length === 2) process.stdout.write(`\n${builds[0][0]} / ${builds[1][0]}: ${ratio(tasks[0][0], tasks[1][0]).toFixed(2)}×\n`);
process.stdout.write('(each figure: the median over rounds of per-round median latencies; ratios: median of per-round ratios)\n');
