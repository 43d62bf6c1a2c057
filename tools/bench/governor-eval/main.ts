import * as fs from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createFileModelStore, createLearner, createNeuralAdvisor, formatModel, MODEL_FILE_NAME, summariseModel, type Learner, type NeuralAdvisor } from '@gov/neural';
import { createWorkloadCgroup, type WorkloadCgroup } from './cgroup.js';
import { describeDamon, readDamonPageout } from './damon.js';
import { createDynamicGovernor, createNoGovernor, createWslAutoReclaim, dynamicConfig, type Contender } from './contenders.js';
import { compare, formatReport, judge, type RunResult } from './report.js';
import { ensureFileSet, evictFileSet, readFileSet, type FileSet } from './workload.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const STATIC = ['wsl-dropcache', 'wsl-gradual', 'dynamic'] as const;
const ALL = ['none', ...STATIC, 'learned'] as const;

function size(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)(i?B)?$/i.exec(text.trim());
  if (!match) throw new Error(`${flag}: "${text}" is not a size (e.g. 512M, 1G)`);
  const factor = { '': 1, K: 1024, M: MIB, G: GIB }[(match[2] ?? '').toUpperCase()] as number;
  return Math.round(Number(match[1]) * factor);
}

function duration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`${flag}: "${text}" is not a duration (e.g. 90s, 2m)`);
  return Math.round(Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm']);
}

function count(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${flag}: "${text}" is not a whole number ≥ 1`);
  return Number(text);
}

const USAGE = `node tools/bench/governor-eval/run.mjs [options]

  --set-size SIZE       bytes in each working set (default 1G); two sets are made
  --files N             files per set (default 4)
  --hot-passes N        passes over set A in the hot phase (default 8)
  --other-passes N      passes over set B (default 4)
  --return-passes N     passes over set A on return (default 4)
  --think DURATION      pause between two passes (default 5s)
  --idle DURATION       idle phase between hot A and B (default 150s; WSL needs 2m to call it idle)
  --vm-size SIZE        RAM of the simulated guest (default 6G)
  --max-held SIZE       the simulated pressure: the dynamic policy keeps the guest under this (default 512M)
  --tick DURATION       governor check interval (default 5s)
  --interval DURATION   dynamic reclaim_interval (default 15s)
  --horizon DURATION    the advisor's outcome horizon (default 60s; 5m in govd)
  --min-samples N       outcomes before the advisor advises (default 8; 20 in govd)
  --probe-after N       vetoes in a row before one reclaim goes through anyway (default: one horizon of ticks)
  --train-runs N        dynamic runs the advisor learns from before the learned run (default 2)
  --rounds N            run every contender N times, in the same order each round (default 1);
                        the table shows the median read time and the mean of the rest
  --retries N           repeat a run during which another program wrote drop_caches, at most N times (default 1)
  --contenders LIST     comma-separated subset of ${ALL.join(',')}
  --data-dir PATH       where the files, the model and results go (default .bench-data/governor-eval)
  --seed N              weight initialisation seed (default 1)`;

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'set-size': { type: 'string', default: '1G' },
      files: { type: 'string', default: '4' },
      'hot-passes': { type: 'string', default: '8' },
      'other-passes': { type: 'string', default: '4' },
      'return-passes': { type: 'string', default: '4' },
      think: { type: 'string', default: '5s' },
      idle: { type: 'string', default: '150s' },
      'vm-size': { type: 'string', default: '6G' },
      'max-held': { type: 'string', default: '512M' },
      tick: { type: 'string', default: '5s' },
      interval: { type: 'string', default: '15s' },
      horizon: { type: 'string', default: '60s' },
      'min-samples': { type: 'string', default: '8' },
      'train-runs': { type: 'string', default: '2' },
      'probe-after': { type: 'string' },
      contenders: { type: 'string', default: ALL.join(',') },
      rounds: { type: 'string', default: '1' },
      retries: { type: 'string', default: '1' },
      'data-dir': { type: 'string', default: '.bench-data/governor-eval' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const contenders = (values.contenders as string).split(',').map((name) => name.trim());
  for (const name of contenders) if (!(ALL as readonly string[]).includes(name)) throw new Error(`--contenders: unknown "${name}"; choose from ${ALL.join(', ')}`);
  return {
    help: Boolean(values.help),
    setSize: size(values['set-size'] as string, '--set-size'),
    files: count(values.files as string, '--files'),
    hotPasses: count(values['hot-passes'] as string, '--hot-passes'),
    otherPasses: count(values['other-passes'] as string, '--other-passes'),
    returnPasses: count(values['return-passes'] as string, '--return-passes'),
    thinkMs: duration(values.think as string, '--think'),
    idleMs: duration(values.idle as string, '--idle'),
    vmSize: size(values['vm-size'] as string, '--vm-size'),
    maxHeld: size(values['max-held'] as string, '--max-held'),
    tickSecs: Math.max(1, Math.round(duration(values.tick as string, '--tick') / 1000)),
    intervalSecs: Math.max(1, Math.round(duration(values.interval as string, '--interval') / 1000)),
    horizonMs: duration(values.horizon as string, '--horizon'),
    minSamples: count(values['min-samples'] as string, '--min-samples'),
    trainRuns: count(values['train-runs'] as string, '--train-runs'),
    probeAfter: values['probe-after'] === undefined ? null : count(values['probe-after'], '--probe-after'),
    contenders,
    rounds: count(values.rounds as string, '--rounds'),
    retries: /^\d+$/.test(values.retries as string) ? Number(values.retries) : count(values.retries as string, '--retries'),
    dataDir: resolve(values['data-dir'] as string),
    seed: Number(values.seed),
  };
}

type Options = ReturnType<typeof options>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);

/** How many times anyone wrote `/proc/sys/vm/drop_caches` (this benchmark never does). */
async function dropPagecacheCount(): Promise<number> {
  const match = /^drop_pagecache (\d+)$/m.exec(await fs.readFile('/proc/vmstat', 'utf8'));
  return match ? Number(match[1]) : 0;
}

async function machineFree(): Promise<number> {
  const match = /^MemFree:\s+(\d+) kB$/m.exec(await fs.readFile('/proc/meminfo', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Samples the guest and the machine once a second, labelled with the current phase. */
function startSampler(cgroup: WorkloadCgroup, vmSize: number) {
  const samples: { atMs: number; phase: string; guestFree: number; cache: number; machineFree: number }[] = [];
  let phase = 'setup';
  let running = true;
  const loop = (async () => {
    while (running) {
      const memory = await cgroup.read();
      samples.push({ atMs: Date.now(), phase, guestFree: Math.max(0, vmSize - memory.cache - memory.rss), cache: memory.cache, machineFree: await machineFree() });
      await sleep(1000);
    }
  })();
  return {
    setPhase(next: string) {
      phase = next;
    },
    async stop() {
      running = false;
      await loop;
      const measured = samples.filter((sample) => sample.phase !== 'setup');
      const mean = (pick: (sample: (typeof samples)[number]) => number) => measured.reduce((sum, sample) => sum + pick(sample), 0) / Math.max(1, measured.length);
      let idleCacheGiBMinutes = 0;
      for (let i = 1; i < samples.length; i += 1) {
        const sample = samples[i] as (typeof samples)[number];
        const previous = samples[i - 1] as (typeof samples)[number];
        if (sample.phase === 'idle' && previous.phase === 'idle') idleCacheGiBMinutes += (previous.cache / GIB) * ((sample.atMs - previous.atMs) / 60_000);
      }
      return { meanGuestFreeBytes: mean((sample) => sample.guestFree), meanMachineFreeBytes: mean((sample) => sample.machineFree), idleCacheGiBMinutes };
    },
  };
}

/**
 * One run of the workload with one contender: hot set A, idle, set B, back to A. Every run
 * starts from the same state: the guest cgroup emptied and both sets evicted from the cache.
 */
async function runWorkload(contender: Contender, sets: { a: FileSet; b: FileSet }, cgroup: WorkloadCgroup, opts: Options): Promise<RunResult> {
  await cgroup.forceEmpty();
  await evictFileSet(sets.a);
  await evictFileSet(sets.b);
  const dropsBefore = await dropPagecacheCount();
  const sampler = startSampler(cgroup, opts.vmSize);
  const readMs: Record<string, number> = { hot: 0, other: 0, return: 0 };
  const diskReadBytesByPhase: Record<string, number> = { hot: 0, other: 0, return: 0 };
  const passes = async (phase: 'hot' | 'other' | 'return', set: FileSet, n: number) => {
    sampler.setPhase(phase);
    for (let i = 0; i < n; i += 1) {
      const pass = await readFileSet(set, cgroup);
      readMs[phase] = (readMs[phase] as number) + pass.ms;
      diskReadBytesByPhase[phase] = (diskReadBytesByPhase[phase] as number) + pass.diskBytes;
      await sleep(opts.thinkMs);
    }
  };
  contender.start();
  try {
    await passes('hot', sets.a, opts.hotPasses);
    sampler.setPhase('idle');
    await sleep(opts.idleMs);
    await passes('other', sets.b, opts.otherPasses);
    await passes('return', sets.a, opts.returnPasses);
  } finally {
    sampler.setPhase('setup');
  }
  const tally = await contender.stop();
  const memory = await sampler.stop();
  const diskReadBytes = Object.values(diskReadBytesByPhase).reduce((sum, bytes) => sum + bytes, 0);
  return { contender: contender.name, ...memory, readMs, diskReadBytes, diskReadBytesByPhase, ...tally, externalDrops: (await dropPagecacheCount()) - dropsBefore };
}

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('needs root: it creates a v1 memory cgroup and reclaims from it');
  await fs.access('/sys/fs/cgroup/memory/memory.limit_in_bytes').catch(() => {
    throw new Error('needs the cgroup v1 memory controller at /sys/fs/cgroup/memory');
  });
  const started = Date.now();
  const damon = await readDamonPageout();
  log(describeDamon(damon));
  log(`making two ${(opts.setSize / GIB).toFixed(2)} GiB file sets under ${opts.dataDir}`);
  const sets = { a: await ensureFileSet(join(opts.dataDir, 'files'), 'a', opts.setSize, opts.files), b: await ensureFileSet(join(opts.dataDir, 'files'), 'b', opts.setSize, opts.files) };
  const cgroup = await createWorkloadCgroup(`gov-eval-${process.pid}`);
  const stop = () => {
    void cgroup.remove().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const results: RunResult[] = [];
  const modelPath = join(opts.dataDir, MODEL_FILE_NAME);
  const store = createFileModelStore({ path: modelPath, fs });
  let learner: Learner | null = null;
  let trainer: NeuralAdvisor | null = null;
  try {
    // One pass over both sets first, so the disk below is equally warm for every contender.
    await readFileSet(sets.a, cgroup);
    await readFileSet(sets.b, cgroup);
    const wsl = { cgroup, vmSize: opts.vmSize, idleMs: 120_000, idleCpuPercent: 0.5, cpus: cpus().length, stepEveryMs: 30_000 };
    const dynamic = { cgroup, vmSize: opts.vmSize, maxHeldBytes: opts.maxHeld, tickSecs: opts.tickSecs, intervalSecs: opts.intervalSecs, horizonMs: opts.horizonMs };
    let learned: NeuralAdvisor | null = null;
    for (let round = 1; round <= opts.rounds; round += 1) {
      for (const name of opts.contenders) {
        let make: () => Contender;
        if (name === 'none') make = createNoGovernor;
        else if (name === 'wsl-dropcache') make = () => createWslAutoReclaim('dropcache', wsl);
        else if (name === 'wsl-gradual') make = () => createWslAutoReclaim('gradual', wsl);
        else if (name === 'dynamic') {
          // The first static dynamic run doubles as a training run: the advisor only watches.
          if (learned === null) {
            learner = learner ?? createLearner({ seed: opts.seed });
            trainer = trainer ?? createNeuralAdvisor({ learner, store, minSamples: Number.MAX_SAFE_INTEGER, horizonMs: opts.horizonMs });
          }
          const watcher = learned === null ? trainer : null;
          make = () => createDynamicGovernor('dynamic', { ...dynamic, ...(watcher ? { advisor: watcher } : {}) });
        } else {
          if (learned === null) {
            learner = learner ?? createLearner({ seed: opts.seed });
            trainer = trainer ?? createNeuralAdvisor({ learner, store, minSamples: Number.MAX_SAFE_INTEGER, horizonMs: opts.horizonMs });
            const extra = opts.contenders.includes('dynamic') ? opts.trainRuns - 1 : opts.trainRuns;
            for (let i = 0; i < extra; i += 1) {
              log(`training run ${i + 1} of ${extra} (dynamic policy, advisor watching)`);
              await runWorkload(createDynamicGovernor('training', { ...dynamic, advisor: trainer }), sets, cgroup, opts);
            }
            // govd probes after 10 vetoes at a 30 s tick: one 5-minute horizon. Keep that ratio.
            const probeAfter = opts.probeAfter ?? Math.max(1, Math.round(opts.horizonMs / 1000 / opts.tickSecs));
            learned = createNeuralAdvisor({ learner, stats: trainer.toModelFile().stats, store, minSamples: opts.minSamples, horizonMs: opts.horizonMs, maxConsecutiveVetoes: probeAfter });
            trainer = learned;
          }
          const advisor = learned;
          log(`learned run starts from a model of ${advisor.learner.samples} outcomes (advice from ${opts.minSamples})`);
          make = () => createDynamicGovernor('learned', { ...dynamic, advisor });
        }
        const contender = make();
        log(`round ${round}: running ${contender.name}`);
        let result = await runWorkload(contender, sets, cgroup, opts);
        // Another program's drop_caches empties the workload's cache too: that run measures them, not the contender.
        for (let retry = 1; retry <= opts.retries && result.externalDrops > 0; retry += 1) {
          log(`${contender.name}: ${result.externalDrops} drop_caches by another program during the run; running it again (${retry} of ${opts.retries})`);
          result = await runWorkload(make(), sets, cgroup, opts);
        }
        log(`${contender.name}: read ${(Object.values(result.readMs).reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s, ${(result.diskReadBytes / GIB).toFixed(2)} GiB from disk (${Object.entries(result.diskReadBytesByPhase ?? {}).map(([phase, bytes]) => `${phase} ${(bytes / GIB).toFixed(2)}`).join(', ')}), mean guest free ${(result.meanGuestFreeBytes / GIB).toFixed(2)} GiB, ${result.actions} actions, ${result.externalDrops} drop_caches by others`);
        results.push(result);
      }
    }
  } finally {
    await trainer?.flush();
    await cgroup.remove().catch((error: unknown) => log(`could not remove the cgroup: ${(error as Error).message}`));
  }

  const rows = compare(results);
  const verdict = judge(rows, STATIC);
  const config = dynamicConfig({ maxHeldBytes: opts.maxHeld, tickSecs: opts.tickSecs, intervalSecs: opts.intervalSecs });
  process.stdout.write(`governor-eval: ${(opts.setSize / GIB).toFixed(2)} GiB sets × 2, guest ${(opts.vmSize / GIB).toFixed(1)} GiB, dynamic linux_max_mb=${config.governor.linux_max_mb} interval ${opts.intervalSecs}s tick ${opts.tickSecs}s, horizon ${opts.horizonMs / 1000}s, min_samples ${opts.minSamples}, ${opts.rounds} round(s), ${((Date.now() - started) / 60_000).toFixed(1)} min\n${describeDamon(damon)}\n\n`);
  process.stdout.write(formatReport(rows, verdict));
  if (trainer) {
    const summary = summariseModel(trainer.toModelFile(), opts.minSamples);
    process.stdout.write(`\nmodel ${modelPath}: ${summary.samples} outcomes (${summary.harmful} harmful), verdicts allow ${summary.verdicts.allow} / veto ${summary.verdicts.veto} / shrink ${summary.verdicts.shrink} / raise ${summary.verdicts.raise}\n`);
    await store.write(formatModel(trainer.toModelFile()));
  }
  const resultsPath = join(opts.dataDir, `results-${new Date().toISOString().replaceAll(':', '-')}.json`);
  await fs.writeFile(resultsPath, `${JSON.stringify({ argv, options: opts, damon, runs: results, rows, verdict }, null, 2)}\n`);
  process.stdout.write(`results: ${resultsPath}\n`);
  return verdict.met === false || verdict.metByReReads === false ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`governor-eval: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
