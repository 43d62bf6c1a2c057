// Full snapshot (meminfo + PSI + vmstat + CPU times, read and parsed) against the raw reads of the
// same files done the same way (the floors) and systeminformation's mem(). Run: npm run bench:meminfo
//
// The machine is shared and noisy, so the tasks run interleaved in several rounds (each round
// in a rotated order) and every ratio is the median of the per-round ratios: the two sides of a
// ratio are always measured close together in time.
import { Buffer } from 'node:buffer';
import { existsSync, openSync, readFile, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import si from 'systeminformation';

const dist = fileURLToPath(new URL('../../../packages/meminfo/dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  process.stderr.write(`${dist} is missing: build it first with "npx nx run @gov/meminfo:build"\n`);
  process.exit(1);
}
const { createSnapshotSource, detectEnvironment, readLinuxMemory, readSnapshot } = await import(dist);

const FILES = ['/proc/meminfo', '/proc/pressure/memory', '/proc/vmstat', '/proc/stat'];
// The fastest asynchronous whole-file read Node has (systeminformation uses it too): the floor of
// readSnapshot(), which reads each file that way.
const readText = (path) => new Promise((resolve, reject) => readFile(path, 'utf8', (error, text) => (error ? reject(error) : resolve(text))));
// The floor of govd's source, read the same way it reads: descriptors opened once, each file read
// again from offset 0 into one buffer and decoded, synchronously. No parsing, no checks.
const keptFds = FILES.map((path) => openSync(path, 'r'));
const rawBuffer = Buffer.allocUnsafe(64 * 1024);
const readRawSync = () => keptFds.map((fd) => rawBuffer.toString('utf8', 0, readSync(fd, rawBuffer, 0, rawBuffer.length, 0)));

// govd detects where it runs once at start-up, then reads a snapshot every tick.
const environment = await detectEnvironment();
const first = await readSnapshot({ environment });
if (first.degraded.length > 0) {
  process.stderr.write(`this machine lacks a source, so the comparison would not be like for like: ${JSON.stringify(first.degraded)}\n`);
  process.exit(1);
}

// What govd really calls every tick: the environment detected once, the /proc files kept open.
const daemonSource = createSnapshotSource({ environment });

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const tasks = [
  ['floor: readFile of meminfo, PSI, vmstat, stat', () => Promise.all(FILES.map(readText))],
  ['floor: kept-open sync read of the same files', async () => readRawSync()],
  ['@gov/meminfo readSnapshot()', () => readSnapshot({ environment })],
  ['@gov/meminfo readSnapshot(), detecting each time', () => readSnapshot()],
  ['@gov/meminfo createSnapshotSource() (govd, files kept open)', () => daemonSource.readSnapshot()],
  ['systeminformation mem()', () => si.mem()],
  // Like for like with mem(), which reads /proc/meminfo alone.
  ['@gov/meminfo readLinuxMemory(), meminfo only', () => readLinuxMemory()],
];

const medians = new Map(tasks.map(([name]) => [name, []]));
const samples = new Map(tasks.map(([name]) => [name, 0]));
for (let round = 0; round < ROUNDS; round += 1) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  for (let index = 0; index < tasks.length; index += 1) {
    const [name, run] = tasks[(index + round) % tasks.length];
    bench.add(name, run);
  }
  await bench.run();
  for (const task of bench.tasks) {
    medians.get(task.name).push(task.result.latency.p50);
    samples.set(task.name, samples.get(task.name) + task.result.latency.samples.length);
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ratio = (numerator, denominator) => median(medians.get(numerator).map((value, round) => value / medians.get(denominator)[round]));

const us = (ms) => (ms * 1000).toFixed(1);
const header = ['task', 'median µs', 'best round µs', 'worst round µs', 'samples'];
const cells = tasks.map(([name]) => {
  const values = medians.get(name);
  return [name, us(median(values)), us(Math.min(...values)), us(Math.max(...values)), String(samples.get(name))];
});
const widths = header.map((title, index) => Math.max(title.length, ...cells.map((row) => row[index].length)));
const line = (row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ');
process.stdout.write(`meminfo benchmark · Node ${process.version} · ${environment} · ${ROUNDS} rounds × ${TIME_MS} ms per task\n\n`);
process.stdout.write(`${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n${cells.map(line).join('\n')}\n\n`);

const [floor, syncFloor, snapshot, detecting, kept, systeminformation, meminfoOnly] = tasks.map(([name]) => name);
const verdict = (ok) => (ok ? 'met' : 'MISSED');
/** Min / median / max over the rounds of one ratio, and the median judged against a target. */
const row = (label, numerator, denominator, target, compare) => {
  const values = medians.get(numerator).map((value, round) => value / medians.get(denominator)[round]);
  const median = ratio(numerator, denominator);
  const judged = target === null ? '' : `  (target ${compare === 'le' ? '≤' : '≥'} ${target}×: ${verdict(compare === 'le' ? median <= target : median >= target)})`;
  process.stdout.write(`${label.padEnd(58)} ${Math.min(...values).toFixed(2)} / ${median.toFixed(2)} / ${Math.max(...values).toFixed(2)}×${judged}\n`);
};
process.stdout.write('ratio (min / median / max over rounds)\n');
row('govd source / kept-open sync read of the same files', kept, syncFloor, 1.5, 'le');
row('readLinuxMemory() (same fields) / systeminformation mem()', meminfoOnly, systeminformation, 1, 'le');
row('readSnapshot() / readFile of the same files', snapshot, floor, 1.5, 'le');
row('readSnapshot(), detecting each time / readFile floor', detecting, floor, null);
row('systeminformation mem() / govd source (4 files against 1)', systeminformation, kept, null);
process.stdout.write('(each ratio: per round, the ratio of the two median latencies)\n');
daemonSource.close();
