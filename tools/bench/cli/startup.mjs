// How long `gov --version` takes to start, against the floor every Node program pays: `node -e 0`,
// measured interleaved in the same run. Run: npm run bench:cli-startup
//
//   GOV=/path/to/gov   time that gov (an installed one: its bin on PATH); default this repo's build
//   RUNS=30            runs of each
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoGov = fileURLToPath(new URL('../../../apps/cli/bin/gov.js', import.meta.url));
const gov = process.env.GOV ?? repoGov;
if (!existsSync(fileURLToPath(new URL('../../../apps/cli/dist/gov.js', import.meta.url))) && !process.env.GOV) {
  process.stderr.write('apps/cli/dist is missing: build it first with "npx nx run @gov/cli:build"\n');
  process.exit(1);
}
const RUNS = Number(process.env.RUNS ?? 30);

// An installed gov is run as a user runs it (its #! line finds node); the repo's through this node.
const contenders = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ['gov --version', ...(process.env.GOV ? [gov, ['--version']] : [process.execPath, [gov, '--version']])],
];

function timeOnce([, file, args]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// One warm-up each (file cache), then interleaved runs so both see the same machine.
for (const contender of contenders) timeOnce(contender);
const samples = contenders.map(() => []);
for (let run = 0; run < RUNS; run += 1) contenders.forEach((contender, index) => samples[index].push(timeOnce(contender)));

const [node, cli] = samples.map(median);
process.stdout.write(`gov: ${gov}\n`);
contenders.forEach(([name], index) => process.stdout.write(`${name.padEnd(14)} median ${median(samples[index]).toFixed(1)} ms over ${RUNS} runs\n`));
process.stdout.write(`ratio          ${(cli / node).toFixed(2)} (gov --version / node -e 0)\n`);
