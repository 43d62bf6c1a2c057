import type { NeuralAdvisor } from '@gov/neural';
import { configSchema, createGovernor, type GovConfig, type HistoryRecord, type ReclaimPort } from '@gov/policies';
import type { WorkloadCgroup } from './cgroup.js';
import { emptyTally, type Contender, type ReclaimEvent } from './contender.js';
import { readGuestSnapshot } from './guest.js';

const MIB = 1024 * 1024;

/**
 * A `ReclaimPort` on the guest cgroup. `@gov/reclaimer`'s v1 fallback is `memory.force_empty`,
 * all or nothing; to honour a target on v1 the guest's limit is lowered by it and lifted again.
 * `full` and `drop_caches` empty the guest's cache.
 */
export function createGuestReclaimPort(cgroup: WorkloadCgroup, onCompact?: () => void): ReclaimPort {
  return {
    async reclaim(request) {
      const started = Date.now();
      if (request.dryRun) return { method: request.method, targetBytes: request.targetBytes ?? null, steps: [], freedBytes: 0, durationMs: 0, dryRun: true };
      const targeted = request.method === 'cgroup_reclaim' && request.targetBytes !== undefined;
      const freedBytes = targeted ? await cgroup.reclaimBytes(request.targetBytes as number) : await cgroup.forceEmpty();
      // `full` ends with compact_memory, and `compact` asks for one after the other methods (the
      // Governor does under WSL2): the compaction lets the VM hand freed pages back.
      if (request.method === 'full' || request.compact === true) onCompact?.();
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
  /** The host scenario: the config (shipped defaults) and where host memory comes from. */
  host?: { config: GovConfig; onCompact: () => void };
  onReclaim?: (event: ReclaimEvent) => void;
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
    config: options.host?.config ?? dynamicConfig(options),
    source: { readSnapshot: () => readGuestSnapshot(options.cgroup, options.vmSize, new Date(), { host: options.host !== undefined }) },
    reclaimer: createGuestReclaimPort(options.cgroup, options.host?.onCompact),
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
      const event = { at: Date.now(), freedBytes: report.action.result.freedBytes, what: `${report.action.result.method} (${report.decision?.code ?? '?'})` };
      tally.events.push(event);
      options.onReclaim?.(event);
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
    advisor.observe(await readGuestSnapshot(options.cgroup, options.vmSize, now, { host: options.host !== undefined }), now);
  }
}
