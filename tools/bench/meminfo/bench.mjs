// Full snapshot (meminfo + PSI + vmstat + CPU times, read and parsed) against the raw reads of the
// same files (the floor) and systeminformation's mem(). Run: npm run bench:meminfo
//
// The machine is shared and noisy, so the tasks run interleaved in several rounds (each round
// in a rotated order) and every ratio is the median of the per-round ratios: the two sides of a
// ratio are always measured close together in time.
import { existsSync, readFile } from 'node:fs';
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
// The fastest asynchronous whole-file read Node has (systeminformation uses it too).
const readText = (path) => new Promise((resolve, reject) => readFile(path, 'utf8', (error, text) => (error ? reject(error) : resolve(text))));

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

const [floor, snapshot, detecting, kept, systeminformation, meminfoOnly] = tasks.map(([name]) => name);
const overFloor = ratio(snapshot, floor);
const fasterThanSi = ratio(systeminformation, snapshot);
const keptOverFloor = ratio(kept, floor);
const siOverKept = ratio(systeminformation, kept);
const verdict = (ok) => (ok ? 'met' : 'MISSED');
process.stdout.write(`snapshot / floor              ${overFloor.toFixed(2)}×  (target ≤ 1.5×: ${verdict(overFloor <= 1.5)})\n`);
process.stdout.write(`systeminformation / snapshot  ${fasterThanSi.toFixed(2)}×  (target ≥ 10×: ${verdict(fasterThanSi >= 10)})\n`);
process.stdout.write(`govd source / floor           ${keptOverFloor.toFixed(2)}×  (target ≤ 1.5×: ${verdict(keptOverFloor <= 1.5)})\n`);
process.stdout.write(`systeminformation / govd source  ${siOverKept.toFixed(2)}×  (target ≥ 10×: ${verdict(siOverKept >= 10)})\n`);
process.stdout.write(`detecting each time / floor   ${ratio(detecting, floor).toFixed(2)}×\n`);
process.stdout.write(`systeminformation / readLinuxMemory (one file each)  ${ratio(systeminformation, meminfoOnly).toFixed(2)}×\n`);
process.stdout.write('(each ratio: the median over rounds of the ratio of per-round median latencies)\n');
daemonSource.close();
