import type { NeuralAdvisor } from '@gov/neural';
import { configSchema, createGovernor, type GovConfig, type HistoryRecord, type ReclaimPort } from '@gov/policies';
import type { WorkloadCgroup } from './cgroup.js';
import { readGuestSnapshot } from './guest.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface ContenderTally {
  actions: number;
  vetoes: number;
  shrinks: number;
  raises: number;
  freedBytes: number;
  /** What the Governor did on each tick it proposed or took a reclaim (the dynamic contenders only). */
  timeline: TimelineEntry[];
}

/** One tick of a governed run, seconds after the run started. */
export interface TimelineEntry {
  atSecs: number;
  /** What the guest held (cache + RSS) at the tick. */
  heldBytes: number | null;
  decision: string;
  verdict: string | null;
  targetBytes: number | null;
  freedBytes: number | null;
}

/** Something that may reclaim the guest's memory while the workload runs. */
export interface Contender {
  readonly name: string;
  start(): void;
  stop(): Promise<ContenderTally>;
}

const emptyTally = (): ContenderTally => ({ actions: 0, vetoes: 0, shrinks: 0, raises: 0, freedBytes: 0, timeline: [] });

export function createNoGovernor(): Contender {
  return { name: 'none', start() {}, stop: async () => emptyTally() };
}

export interface WslOptions {
  cgroup: WorkloadCgroup;
  vmSize: number;
  /** WSL: 2 minutes. */
  idleMs: number;
  /** WSL: 0.5 (% of all CPUs). */
  idleCpuPercent: number;
  cpus: number;
  /** Gradual mode: time between two reclaim steps while idle. */
  stepEveryMs: number;
  sampleMs?: number;
}

/**
 * WSL's `autoMemoryReclaim`, re-implemented on the guest cgroup. Idle = the guest's CPU at or
 * below `idleCpuPercent` of all CPUs for `idleMs` (WSL: ≤0.5% for 2 minutes).
 * - `dropcache`: once per idle period, drop the page cache (`drop_caches=3` in WSL; here
 *   `memory.force_empty` of the guest cgroup, the same effect on the guest's cache without
 *   dropping other tenants' caches on a shared machine).
 * - `gradual`: while idle, reclaim steps of RAM/32 clamped to 256 MiB–1 GiB (WSL writes
 *   `memory.reclaim`; on this v1-only kernel the limit is lowered by the step and lifted
 *   again) until the guest's file cache is down to 128 MiB.
 */
export function createWslAutoReclaim(mode: 'dropcache' | 'gradual', options: WslOptions): Contender {
  let tally = emptyTally();
  const sampleMs = options.sampleMs ?? 1000;
  const step = Math.min(GIB, Math.max(256 * MIB, Math.floor(options.vmSize / 32)));
  const floor = 128 * MIB;
  let running = false;
  let loop: Promise<void> = Promise.resolve();

  async function watch(): Promise<void> {
    let lastCpu = await options.cgroup.cpuNanoseconds();
    let lastAt = Date.now();
    let idleForMs = 0;
    let armed = true;
    let lastStepAt = 0;
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, sampleMs));
      const cpu = await options.cgroup.cpuNanoseconds();
      const at = Date.now();
      const percent = ((cpu - lastCpu) / 1e6 / ((at - lastAt) * options.cpus)) * 100;
      lastCpu = cpu;
      if (percent <= options.idleCpuPercent) idleForMs += at - lastAt;
      else {
        idleForMs = 0;
        armed = true;
      }
      lastAt = at;
      if (idleForMs < options.idleMs || !running) continue;
      if (mode === 'dropcache') {
        if (!armed) continue;
        armed = false;
        tally.freedBytes += await options.cgroup.forceEmpty();
        tally.actions += 1;
      } else if (at - lastStepAt >= options.stepEveryMs) {
        const { cache } = await options.cgroup.read();
        if (cache <= floor) continue;
        lastStepAt = at;
        tally.freedBytes += await options.cgroup.reclaimBytes(Math.min(step, cache - floor));
        tally.actions += 1;
      }
    }
  }

  return {
    name: mode === 'dropcache' ? 'wsl-dropcache' : 'wsl-gradual',
    start() {
      tally = emptyTally();
      running = true;
      loop = watch();
    },
    async stop() {
      running = false;
      await loop;
      return { ...tally };
    },
  };
}

/**
 * A `ReclaimPort` on the guest cgroup. `@gov/reclaimer`'s v1 fallback is `memory.force_empty`,
 * all or nothing; to honour a target on v1 the guest's limit is lowered by it and lifted again.
 * `full` and `drop_caches` empty the guest's cache.
 */
export function createGuestReclaimPort(cgroup: WorkloadCgroup): ReclaimPort {
  return {
    async reclaim(request) {
      const started = Date.now();
      if (request.dryRun) return { method: request.method, targetBytes: request.targetBytes ?? null, steps: [], freedBytes: 0, durationMs: 0, dryRun: true };
      const targeted = request.method === 'cgroup_reclaim' && request.targetBytes !== undefined;
      const freedBytes = targeted ? await cgroup.reclaimBytes(request.targetBytes as number) : await cgroup.forceEmpty();
      const durationMs = Date.now() - started;
      return { method: request.method, targetBytes: request.targetBytes ?? null, steps: [{ name: targeted ? 'memory.limit_in_bytes' : 'memory.force_empty', status: 'ok', durationMs }], freedBytes, durationMs, dryRun: false };
    },
  };
}

export interface DynamicOptions {
  cgroup: WorkloadCgroup;
  vmSize: number;
  /** The pressure this run simulates: the dynamic policy keeps the guest at or under this many bytes held. */
  maxHeldBytes: number;
  tickSecs: number;
  intervalSecs: number;
  advisor?: NeuralAdvisor;
  /** The advisor's outcome horizon: after the workload it keeps watching the guest up to twice this long, until every action is measured. */
  horizonMs?: number;
  history?: HistoryRecord[];
}

/** The bench's config of the static dynamic policy (exported so the report can show it). */
export function dynamicConfig(options: Pick<DynamicOptions, 'maxHeldBytes' | 'tickSecs' | 'intervalSecs'>): GovConfig {
  return configSchema.parse({
    governor: {
      policy: 'dynamic',
      check_interval_secs: options.tickSecs,
      linux_min_mb: 0,
      linux_max_mb: Math.max(1, Math.round(options.maxHeldBytes / MIB)),
      dynamic: { host_target_available_percent: 0, min_waste_mb: 64, reclaim_interval_secs: options.intervalSecs },
    },
  });
}

/** The real `@gov/policies` Governor, dynamic policy, on the guest; with an advisor it is the learned contender. */
export function createDynamicGovernor(name: string, options: DynamicOptions): Contender {
  let tally = emptyTally();
  let startedAt = Date.now();
  const governor = createGovernor({
    config: dynamicConfig(options),
    source: { readSnapshot: () => readGuestSnapshot(options.cgroup, options.vmSize, new Date()) },
    reclaimer: createGuestReclaimPort(options.cgroup),
    history: { append: async (record) => void options.history?.push(record) },
    ...(options.advisor ? { advisor: options.advisor } : {}),
  });
  governor.onTick((report) => {
    if (report.advice?.verdict === 'veto') tally.vetoes += 1;
    if (report.advice?.verdict === 'shrink') tally.shrinks += 1;
    if (report.advice?.verdict === 'raise') tally.raises += 1;
    if (report.decision?.kind === 'reclaim' && report.taken) {
      const linux = report.snapshot?.linux ?? null;
      tally.timeline.push({
        atSecs: Math.round((Date.parse(report.at) - startedAt) / 100) / 10,
        heldBytes: linux ? linux.total - linux.free : null,
        decision: `${report.taken.kind}/${report.taken.code}`,
        verdict: report.advice?.verdict ?? null,
        targetBytes: report.taken.kind === 'reclaim' ? report.taken.targetBytes : report.decision.targetBytes,
        freedBytes: report.action?.kind === 'reclaim' ? report.action.result.freedBytes : null,
      });
    }
    if (report.action?.kind === 'reclaim' && !report.action.result.dryRun) {
      tally.actions += 1;
      tally.freedBytes += report.action.result.freedBytes;
    }
  });
  return {
    name,
    start() {
      tally = emptyTally();
      startedAt = Date.now();
      governor.start();
    },
    async stop() {
      await governor.stop();
      await measurePending(options);
      return { ...tally };
    },
  };
}

/**
 * Actions near the end of a run are measured at their horizon, after the workload: the advisor
 * keeps observing the (now idle) guest, nothing acts, until none is pending — so no outcome is
 * measured on the next run, which starts from an emptied guest.
 */
async function measurePending(options: DynamicOptions): Promise<void> {
  const advisor = options.advisor;
  if (!advisor) return;
  const deadline = Date.now() + 2 * (options.horizonMs ?? 300_000);
  while (advisor.status().pendingOutcomes > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.tickSecs * 1000));
    const now = new Date();
    advisor.observe(await readGuestSnapshot(options.cgroup, options.vmSize, now), now);
  }
}
