// Sampling 20 containers' memory and CPU through their cgroup files against the engine's stats
// API (one-shot), in the same run on the same containers. Run: npm run bench:docker
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const dist = fileURLToPath(new URL('../../../packages/docker/dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  process.stderr.write(`${dist} is missing: build it first with "npx nx run @gov/docker:build"\n`);
  process.exit(1);
}
const { createContainerSensor, createDockerodeEngine, readCgroupUsage, usageFromStatsApi } = await import(dist);

const COUNT = Number(process.env.BENCH_CONTAINERS ?? 20);
const FILES_TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);
const API_ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 3);
const IMAGE = 'gov/busybox:test';
const prefix = `gov-bench-${Date.now().toString(36)}`;

const docker = (args) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).trim();
const ids = [];
const cleanUp = () => {
  if (ids.length > 0) {
    try {
      docker(['rm', '-f', ...ids]);
    } catch {
      // already gone
    }
    ids.length = 0;
  }
};
process.on('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

try {
  try {
    docker(['image', 'inspect', IMAGE]);
  } catch {
    process.stderr.write(`no Docker engine with ${IMAGE}: run "bash tools/docker-engine.sh" first\n`);
    process.exit(1);
  }
  process.stderr.write(`starting ${COUNT} containers…\n`);
  for (let index = 0; index < COUNT; index += 1) {
    ids.push(docker(['run', '-d', '--label', 'gov.test=1', '--name', `${prefix}-${index}`, IMAGE, 'sleep', '3600']));
  }

  const client = createContainerSensor({ sensing: 'cgroup' });
  const info = await client.engineInfo();
  const ours = (await client.listContainers()).filter((container) => ids.includes(container.id));
  const cgroups = ours.map((container) => container.cgroup).filter((cgroup) => cgroup !== null);
  if (cgroups.length !== COUNT || ours.some((container) => container.source !== 'cgroup')) {
    process.stderr.write(`only ${cgroups.length} of ${COUNT} containers have readable cgroup files here; the comparison would not be like for like\n`);
    process.exit(1);
  }
  const engine = createDockerodeEngine({ timeoutMs: 120_000 });

  // Both read all containers at once, as listContainers() does.
  const viaFiles = () => Promise.all(cgroups.map((cgroup) => readCgroupUsage(cgroup)));
  const viaApi = () => Promise.all(ids.map(async (id) => usageFromStatsApi(await engine.stats(id), null)));
  // Same answer from both, or the race means nothing.
  const [fromFiles, fromApi] = await Promise.all([viaFiles(), viaApi()]);
  if (fromFiles.length !== fromApi.length || fromFiles.some((usage) => !(usage.memory.usage > 0)) || fromApi.some((usage) => !(usage.memory.usage > 0))) {
    process.stderr.write('a source answered without memory numbers\n');
    process.exit(1);
  }

  const files = new Bench({ time: FILES_TIME_MS, warmupTime: 200 });
  files.add(`cgroup files (${COUNT} containers)`, viaFiles);
  // The API costs about a second per call: a few rounds are plenty, and warm-up would only add minutes.
  const api = new Bench({ time: 0, iterations: API_ROUNDS, warmup: false });
  api.add(`stats API one-shot (${COUNT} containers)`, viaApi);
  await files.run();
  await api.run();

  const rows = [...files.tasks, ...api.tasks].map((task) => {
    const latency = task.result.latency;
    return { task: task.name, median: latency.p50, mean: latency.mean, perContainer: latency.p50 / COUNT, samples: latency.samples.length };
  });
  const ms = (value) => value.toFixed(value < 10 ? 3 : 1);
  const header = ['task', 'median ms', 'mean ms', 'ms / container', 'rounds'];
  const cells = rows.map((row) => [row.task, ms(row.median), ms(row.mean), ms(row.perContainer), String(row.samples)]);
  const widths = header.map((title, index) => Math.max(title.length, ...cells.map((row) => row[index].length)));
  const line = (row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ');
  process.stdout.write(`docker sensing benchmark · Node ${process.version} · Docker ${info.serverVersion}, ${info.cgroupDriver} driver, cgroup v${info.cgroupVersion} · ${COUNT} containers\n\n`);
  process.stdout.write(`${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n${cells.map(line).join('\n')}\n\n`);
  const [filesRow, apiRow] = rows;
  const ratio = apiRow.median / filesRow.median;
  process.stdout.write(`stats API / cgroup files  ${ratio.toFixed(0)}×  (target ≥ 100×: ${ratio >= 100 ? 'met' : 'MISSED'})\n`);
  process.stdout.write('(ratio of medians from this one run; both sides read all containers at once)\n');
} finally {
  cleanUp();
}
