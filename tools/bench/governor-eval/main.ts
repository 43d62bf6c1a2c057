import * as fs from 'node:fs/promises';
import { cpus as osCpus, release } from 'node:os';
import { join } from 'node:path';
import { createFileModelStore, createLearner, createNeuralAdvisor, formatModel, MODEL_FILE_NAME, summariseModel, type Learner, type NeuralAdvisor } from '@gov/neural';
import { configSchema } from '@gov/policies';
import { startAnonWorker, type AnonWorker } from './anon.js';
import { createWorkloadCgroup, type WorkloadCgroup } from './cgroup.js';
import { createNoGovernor, type Contender, type ContenderTally } from './contender.js';
import { createDynamicGovernor, dynamicConfig } from './contenders.js';
import { describeDamon, readDamonPageout } from './damon.js';
import { createGovdContender } from './govd.js';
import { createHostSim, type HostSim } from './host-sim.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { compare, formatDisturbed, formatHostRows, formatRows, formatVerdicts, judgeHost, judgeIdle, type RunResult } from './report.js';
import { startSampler } from './sampler.js';
import { createSenpai, SENPAI_V1_ADAPTATION, v1SenpaiCgroup } from './senpai.js';
import { ensureFileSet, evictFileSet, readFileSet, type FileSet } from './workload.js';
import { createWslAutoReclaim } from './wsl.js';

const GIB = 1024 ** 3;
const IDLE_OTHERS = ['wsl-dropcache', 'wsl-gradual', 'dynamic', 'senpai'] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);

interface Sets {
  a: FileSet;
  b: FileSet;
}

/** What one run keeps besides the table's figures: the reclaims and the host over time. */
type RunRecord = RunResult & { timeline: ContenderTally['timeline']; events: ContenderTally['events']; hostTimeline?: unknown; compactions?: number };

/**
 * One run of the workload with one contender. Every run starts from the same state: the guest
 * cgroup emptied and both sets evicted from the cache.
 * - idle scenario: hot A, idle, B, back to A;
 * - host scenario: B read once (cache the guest no longer needs), then A every `think` until the
 *   host's demand curve ends: the guest is never idle.
 */
async function runWorkload(contender: Contender, round: number, sets: Sets, cgroup: WorkloadCgroup, opts: Options, host: HostSim | null): Promise<RunRecord> {
  await cgroup.forceEmpty();
  await evictFileSet(sets.a);
  await evictFileSet(sets.b);
  const anon: AnonWorker | null = opts.anonBytes > 0 ? await startAnonWorker(cgroup, opts.anonBytes) : null;
  const sampler = await startSampler({ cgroup, vmSize: opts.vmSize, cpus: osCpus().length, host });
  const readMs: Record<string, number> = {};
  const diskReadBytesByPhase: Record<string, number> = {};
  const pass = async (phase: string, set: FileSet) => {
    sampler.setPhase(phase);
    await anon?.touch();
    const result = await readFileSet(set, cgroup);
    readMs[phase] = (readMs[phase] ?? 0) + result.ms;
    diskReadBytesByPhase[phase] = (diskReadBytesByPhase[phase] ?? 0) + result.diskBytes;
    await sleep(opts.thinkMs);
  };
  const startedAt = Date.now();
  await contender.start();
  let tally: ContenderTally;
  try {
    if (opts.scenario === 'idle') {
      for (let i = 0; i < opts.hotPasses; i += 1) await pass('hot', sets.a);
      sampler.setPhase('idle');
      await sleep(opts.idleMs);
      for (let i = 0; i < opts.otherPasses; i += 1) await pass('other', sets.b);
      for (let i = 0; i < opts.returnPasses; i += 1) await pass('return', sets.a);
    } else {
      const endMs = (opts.hostDemand[opts.hostDemand.length - 1] as { atMs: number }).atMs;
      await pass('fill', sets.b);
      while (Date.now() - startedAt < endMs) await pass('busy', sets.a);
    }
  } finally {
    sampler.setPhase('setup');
    tally = await contender.stop();
    await anon?.stop();
  }
  const measured = await sampler.stop();
  const hostMeasure = host?.measure() ?? null;
  const diskReadBytes = Object.values(diskReadBytesByPhase).reduce((sum, bytes) => sum + bytes, 0);
  return {
    contender: contender.name,
    round,
    ...measured,
    readMs,
    diskReadBytes,
    diskReadBytesByPhase,
    actions: tally.actions,
    vetoes: tally.vetoes,
    shrinks: tally.shrinks,
    raises: tally.raises,
    freedBytes: tally.freedBytes,
    host: hostMeasure ? { crossedAtSecs: hostMeasure.crossedAtSecs, reactionSecs: hostMeasure.reactionSecs, minAvailableBytes: hostMeasure.minAvailableBytes, meanAvailableBytes: hostMeasure.meanAvailableBytes, belowEmergencySecs: hostMeasure.belowEmergencySecs, totalBytes: hostMeasure.totalBytes } : null,
    timeline: tally.timeline,
    events: tally.events.map((event) => ({ ...event, at: Math.round((event.at - startedAt) / 100) / 10 })),
    ...(hostMeasure ? { hostTimeline: hostMeasure.timeline, compactions: hostMeasure.compactions } : {}),
  };
}

function describeRun(result: RunRecord): string {
  const phases = Object.entries(result.diskReadBytesByPhase).map(([phase, bytes]) => `${phase} ${(bytes / GIB).toFixed(2)}`).join(', ');
  const host = result.host ? `, host min ${(result.host.minAvailableBytes / GIB).toFixed(2)} GiB, crossed ${result.host.crossedAtSecs ?? '—'} s, first reclaim after ${result.host.reactionSecs ?? '—'} s` : '';
  const disturbed = result.disturbance.reasons.length > 0 ? ` — DISTURBED: ${result.disturbance.reasons.join('; ')}` : '';
  return `${result.contender}: read ${(Object.values(result.readMs).reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s, ${(result.diskReadBytes / GIB).toFixed(2)} GiB from disk (${phases}), stall ${(result.stallUs / 1e6).toFixed(2)} s, mean guest free ${(result.meanGuestFreeBytes / GIB).toFixed(2)} GiB, ${result.actions} actions${host}, other CPU ${result.disturbance.otherCpuPercent.toFixed(0)}%${disturbed}`;
}

async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('needs root: it creates a v1 memory cgroup and reclaims from it');
  await fs.access('/sys/fs/cgroup/memory/memory.limit_in_bytes').catch(() => {
    throw new Error('needs the cgroup v1 memory controller at /sys/fs/cgroup/memory');
  });
  const started = Date.now();
  const cpus = osCpus().length;
  const damon = await readDamonPageout();
  log(describeDamon(damon));
  log(`making file sets of ${(opts.setSize / GIB).toFixed(2)} and ${(opts.otherSize / GIB).toFixed(2)} GiB under ${opts.dataDir}`);
  const sets = { a: await ensureFileSet(join(opts.dataDir, 'files'), 'a', opts.setSize, opts.files), b: await ensureFileSet(join(opts.dataDir, 'files'), opts.otherSize === opts.setSize ? 'b' : `b-${Math.round(opts.otherSize / 2 ** 20)}m`, opts.otherSize, opts.files) };
  const cgroup = await createWorkloadCgroup(`gov-eval-${process.pid}`);
  const stop = () => {
    void cgroup.remove().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const shipped = configSchema.parse({ governor: { check_interval_secs: opts.tickSecs, dynamic: { reclaim_interval_secs: opts.intervalSecs } } });
  const host = opts.scenario === 'host' ? await createHostSim({ dir: join(opts.dataDir, 'host'), cgroup, totalBytes: opts.hostSize, demand: opts.hostDemand, targetPercent: shipped.governor.dynamic.host_target_available_percent, emergencyPercent: shipped.governor.emergency_threshold_percent, cpus, reportedShare: opts.reportedShare }) : null;
  // The library contenders read host memory as govd does: `powershell.exe` from PATH.
  if (host) process.env.PATH = `${host.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  const onReclaim = host ? (event: Parameters<HostSim['recordReclaim']>[0]) => host.recordReclaim(event) : undefined;
  const results: RunRecord[] = [];
  const modelPath = join(opts.dataDir, opts.scenario === 'host' ? `host-${MODEL_FILE_NAME}` : MODEL_FILE_NAME);
  const store = createFileModelStore({ path: modelPath, fs });
  let learner: Learner | null = null;
  let trainer: NeuralAdvisor | null = null;
  try {
    // One pass over both sets first, so the disk below is equally warm for every contender.
    await readFileSet(sets.a, cgroup);
    await readFileSet(sets.b, cgroup);
    const dynamic = { cgroup, vmSize: opts.vmSize, maxHeldBytes: opts.maxHeld, tickSecs: opts.tickSecs, intervalSecs: opts.intervalSecs, horizonMs: opts.horizonMs, ...(host ? { host: { config: shipped, onCompact: () => host.compact() } } : {}), ...(onReclaim ? { onReclaim } : {}) };
    const newTrainer = () => {
      learner = learner ?? createLearner({ seed: opts.seed });
      return createNeuralAdvisor({ learner, store, minSamples: Number.MAX_SAFE_INTEGER, horizonMs: opts.horizonMs });
    };
    let learned: NeuralAdvisor | null = null;
    for (let round = 1; round <= opts.rounds; round += 1) {
      for (const name of opts.contenders) {
        let make: () => Contender;
        if (name === 'none') make = createNoGovernor;
        else if (name === 'wsl-dropcache' || name === 'wsl-gradual') make = () => createWslAutoReclaim(name === 'wsl-gradual' ? 'gradual' : 'dropcache', { cgroup, cpus, ...(onReclaim ? { onReclaim } : {}) });
        else if (name === 'senpai') make = () => createSenpai({ cgroup: v1SenpaiCgroup(cgroup), ...(onReclaim ? { onReclaim } : {}) });
        else if (name === 'govd') {
          const sim = host as HostSim;
          make = () => createGovdContender({ govdPath: opts.govdPath, dir: join(opts.dataDir, 'govd'), cgroup, vmSize: opts.vmSize, binDir: sim.binDir, onCompact: () => sim.compact(), ...(onReclaim ? { onReclaim } : {}) });
        } else if (name === 'dynamic') {
          // The first dynamic run doubles as a training run: the advisor only watches.
          if (learned === null && !opts.freshModel && opts.contenders.includes('learned')) trainer = trainer ?? newTrainer();
          const watcher = learned === null && !opts.freshModel ? trainer : null;
          make = () => createDynamicGovernor('dynamic', { ...dynamic, ...(watcher ? { advisor: watcher } : {}) });
        } else {
          if (learned === null) {
            trainer = trainer ?? newTrainer();
            const extra = opts.freshModel ? 0 : opts.contenders.includes('dynamic') ? opts.trainRuns - 1 : opts.trainRuns;
            for (let i = 0; i < extra; i += 1) {
              log(`training run ${i + 1} of ${extra} (dynamic policy, advisor watching)`);
              await runWorkload(createDynamicGovernor('training', { ...dynamic, advisor: trainer }), 0, sets, cgroup, opts, host);
            }
            // govd probes after 10 vetoes at a 30 s tick: one 5-minute horizon. Keep that ratio.
            const probeAfter = opts.probeAfter ?? Math.max(1, Math.round(opts.horizonMs / 1000 / opts.tickSecs));
            learned = createNeuralAdvisor({ learner: learner as unknown as Learner, stats: trainer.toModelFile().stats, store, minSamples: opts.minSamples, horizonMs: opts.horizonMs, maxConsecutiveVetoes: probeAfter, youngGuardOutcomes: opts.youngGuard });
            trainer = learned;
          }
          const advisor = learned;
          log(`learned run starts from a model of ${advisor.learner.samples} outcomes (advice from ${opts.minSamples})`);
          make = () => createDynamicGovernor('learned', { ...dynamic, advisor });
        }
        const contender = make();
        log(`round ${round}: running ${contender.name}`);
        let result = await runWorkload(contender, round, sets, cgroup, opts, host);
        // Another program's drop_caches empties the workload's cache too: that run measures them, not the contender.
        for (let retry = 1; retry <= opts.retries && result.disturbance.externalDrops > 0; retry += 1) {
          log(`${contender.name}: ${result.disturbance.externalDrops} drop_caches by another program during the run; running it again (${retry} of ${opts.retries})`);
          result = await runWorkload(make(), round, sets, cgroup, opts, host);
        }
        log(describeRun(result));
        results.push(result);
      }
    }
  } finally {
    await trainer?.flush();
    await cgroup.remove().catch((error: unknown) => log(`could not remove the cgroup: ${(error as Error).message}`));
  }

  const rows = compare(results);
  const senpaiForm = opts.contenders.includes('senpai') ? `; senpai adapted to ${SENPAI_V1_ADAPTATION}` : '';
  const kernel = `kernel ${release()}, ${cpus} CPUs, cgroup v1 memory controller${senpaiForm}`;
  const workload =
    opts.scenario === 'idle'
      ? `idle scenario: set A ${(opts.setSize / GIB).toFixed(2)} GiB (${opts.hotPasses} hot passes ${opts.thinkMs / 1000} s apart, ${opts.idleMs / 1000} s idle, ${opts.returnPasses} return passes), set B ${(opts.otherSize / GIB).toFixed(2)} GiB (${opts.otherPasses} passes), guest ${(opts.vmSize / GIB).toFixed(1)} GiB; dynamic linux_max_mb=${dynamicConfig({ maxHeldBytes: opts.maxHeld, tickSecs: opts.tickSecs, intervalSecs: opts.intervalSecs }).governor.linux_max_mb} interval ${opts.intervalSecs} s tick ${opts.tickSecs} s; horizon ${opts.horizonMs / 1000} s, min_samples ${opts.minSamples}, young-model guard ${opts.youngGuard === 0 ? 'off' : `from ${opts.youngGuard} outcomes`}${opts.freshModel ? ', learned from a fresh model' : ''}`
      : `host scenario: host ${(opts.hostSize / GIB).toFixed(1)} GiB, other programs ${opts.hostDemand.map((point) => `${point.atMs / 1000}s:${(point.bytes / GIB).toFixed(1)}G`).join(',')}; guest ${(opts.vmSize / GIB).toFixed(1)} GiB reading set B ${(opts.otherSize / GIB).toFixed(2)} GiB once, then set A ${(opts.setSize / GIB).toFixed(2)} GiB every ${opts.thinkMs / 1000} s; gov shipped defaults (tick ${opts.tickSecs} s, interval ${opts.intervalSecs} s, target ${shipped.governor.dynamic.host_target_available_percent}%, emergency ${shipped.governor.emergency_threshold_percent}%, linux_min_mb ${shipped.governor.linux_min_mb})`;
  const anon = opts.anonBytes > 0 ? `; mixed: ${(opts.anonBytes / GIB).toFixed(2)} GiB anonymous memory in the guest` : '';
  process.stdout.write(`governor-eval: ${workload}${anon}; ${opts.rounds} round(s), ${((Date.now() - started) / 60_000).toFixed(1)} min\n${kernel}\n${describeDamon(damon)}\n\n`);
  process.stdout.write(formatRows(rows));
  let verdicts;
  if (opts.scenario === 'host') {
    process.stdout.write(`\n${formatHostRows(rows)}`);
    const emergencyBytes = (shipped.governor.emergency_threshold_percent / 100) * opts.hostSize;
    // Possible: at the demand's peak, a guest reclaimed down to gov's floor (or its anonymous memory) leaves the host above emergency.
    const peak = Math.max(...opts.hostDemand.map((point) => point.bytes));
    const feasible = opts.hostSize - peak - Math.max(shipped.governor.linux_min_mb * 2 ** 20, opts.anonBytes) >= emergencyBytes;
    verdicts = judgeHost(rows, ['govd', 'dynamic', 'learned'], { tickSecs: opts.tickSecs, emergencyBytes, feasible });
  } else {
    verdicts = judgeIdle(rows, IDLE_OTHERS, opts.rounds);
  }
  process.stdout.write(`\n${formatDisturbed(results)}\n${formatVerdicts(verdicts)}\n`);
  if (trainer) {
    const summary = summariseModel((trainer as NeuralAdvisor).toModelFile(), opts.minSamples);
    process.stdout.write(`\nmodel ${modelPath}: ${summary.samples} outcomes (${summary.harmful} harmful), verdicts allow ${summary.verdicts.allow} / veto ${summary.verdicts.veto} / shrink ${summary.verdicts.shrink} / raise ${summary.verdicts.raise}\n`);
    await store.write(formatModel((trainer as NeuralAdvisor).toModelFile()));
  }
  const resultsPath = join(opts.dataDir, `results-${opts.scenario}-${new Date().toISOString().replaceAll(':', '-')}.json`);
  await fs.writeFile(resultsPath, `${JSON.stringify({ argv, options: opts, kernel, damon, runs: results, rows, verdicts }, null, 2)}\n`);
  process.stdout.write(`results: ${resultsPath}\n`);
  return verdicts.some((verdict) => verdict.met === false) ? 1 : 0;
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
