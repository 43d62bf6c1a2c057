import type { HistoryWriteStatus } from '@gov/api/node';
import type { Snapshot } from '@gov/meminfo';
import { wasteBytes } from '@gov/meminfo/model';
import type { GovConfig, PolicyState, ReclaimResultLike } from '@gov/policies';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerCollected, type CollectedSpec } from './collected-metrics.js';
import { failingSources } from './health.js';
import { registerLearnerMetrics, type LearnerReading } from './learner-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';
import { registerWorkloadMetrics, type WorkloadReaders } from './workload-metrics.js';

/** What a decision contributes to the metrics: its kind, policy and reason code. */
export interface DecisionSample {
  kind: string;
  policy: string;
  /** The decision's short stable reason (`host-below-target`, `cooldown`, …). */
  code: string;
}

/** The `method` label of the idle actions, beside the reclaim catalogue's methods. */
export const PAUSE_IDLE_METHOD = 'pause_idle_containers';
export const IDLE_PODS_METHOD = 'reclaim_idle_pods';

/** One action the daemon ran (or would have run, in dry-run mode). */
export interface ReclaimSample {
  /** The catalogue method that ran, or an idle action (`pause_idle_containers`, `reclaim_idle_pods`). */
  method: string;
  /** Who asked: the governor's tick or the HTTP API. */
  trigger: 'governor' | 'api';
  dryRun: boolean;
  /** Whether a step of the action failed. */
  failed: boolean;
  freedBytes: number;
}

/** An idle action as the metrics count it (`count`: containers paused, or pods reclaimed). */
export interface IdleActionSample {
  kind: 'pause-idle-containers' | 'reclaim-idle-pods';
  count: number;
  freedBytes: number;
  dryRun: boolean;
  /** Default `governor`. */
  trigger?: ReclaimSample['trigger'];
  /** Whether the action failed; default false. */
  failed?: boolean;
}

/** A reclaim's result as the metrics count it: under the method that really ran. */
export function reclaimSample(result: ReclaimResultLike, trigger: ReclaimSample['trigger']): ReclaimSample {
  return { method: result.fallback?.to ?? result.method, trigger, dryRun: result.dryRun, failed: result.steps.some((step) => step.status === 'failed'), freedBytes: result.freedBytes };
}

/** What the metrics read when Prometheus scrapes, besides what the ticks recorded. */
export interface MetricsReaders extends WorkloadReaders {
  /** The config in use: the targets and interval are exported next to what they judge. */
  config?: () => GovConfig;
  /** The Governor's policy state (its backoff). */
  state?: () => PolicyState;
  /** The learned advisor's status, when govd runs with it. */
  learner?: () => LearnerReading;
  /** Whether the history file takes appends, and how many have failed since govd started. */
  history?: () => Pick<HistoryWriteStatus, 'writable' | 'failures'>;
}

export interface MetricsOptions {
  /** govd's version, for `gov_build_info`. */
  version: string;
  /** govd's own process metrics (default true). */
  processMetrics?: boolean;
  readers?: MetricsReaders;
}

/** The memory sources of a snapshot, in the order `@gov/meminfo` reads them. */
const SNAPSHOT_SOURCES = ['linux', 'pressure', 'vmstat', 'cpu', 'host'] as const;

const TICK_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus metrics govd serves on GET /metrics, in a registry of their own. Names follow
 * node_exporter's conventions: base units in the name (`_bytes`, `_seconds`), counters end in
 * `_total`, and no label mixes a whole with its parts (`sum()` over any label means something).
 */
export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  const registers = [registry];
  const readers = options.readers ?? {};
  if (options.processMetrics ?? true) registerProcessMetrics(registry);

  new Gauge({
    name: 'gov_build_info',
    help: 'Always 1; the labels say which govd and Node.js run',
    labelNames: ['version', 'node'],
    registers,
  }).set({ version: options.version, node: process.versions.node }, 1);

  // A reading the machine may not offer (no swap, no VM, no PSI) has no series until it is known.
  const reading = (name: string, help: string) => unset(new Gauge({ name, help, registers }));
  const kernelCounter = (name: string, help: string) => unset(new Counter({ name, help, registers }));
  // Linux memory (/proc/meminfo). free + application + reclaimable = total.
  const linuxTotal = reading('gov_linux_memory_total_bytes', 'MemTotal of Linux');
  const linuxParts = new Gauge({
    name: 'gov_linux_memory_bytes',
    help: 'Linux memory by state: free (MemFree), application (what processes hold) and reclaimable (page cache and slab drop_caches can give back); the states add up to gov_linux_memory_total_bytes',
    labelNames: ['state'],
    registers,
  });
  const linuxAvailable = reading('gov_linux_memory_available_bytes', 'MemAvailable of Linux: what can be allocated without swapping');
  const linuxBuffCache = reading('gov_linux_memory_buff_cache_bytes', 'Buffers + Cached + SReclaimable of Linux, as free(1) shows buff/cache');
  const swapTotal = reading('gov_linux_swap_total_bytes', 'SwapTotal of Linux');
  const swapUsed = reading('gov_linux_swap_used_bytes', 'SwapTotal - SwapFree of Linux');
  // The host: Windows under WSL2, this machine on Linux.
  const hostTotal = reading('gov_host_memory_total_bytes', 'Memory of the host (Windows under WSL2, this machine on Linux)');
  const hostAvailable = reading('gov_host_memory_available_bytes', 'Memory the host has available');
  const vmMemory = reading('gov_host_vm_memory_bytes', 'Working set of the WSL2 VM process (vmmem/vmmemWSL) on the host');
  const waste = reading('gov_memory_waste_bytes', 'Memory the WSL2 VM holds that Linux applications do not use (vmmem - application memory)');
  // Pressure and the kernel's own counters: cumulative, like node_exporter's.
  const pressureWaiting = kernelCounter('gov_memory_pressure_waiting_seconds_total', 'PSI memory "some" total: time at least one task stalled on memory');
  const pressureStalled = kernelCounter('gov_memory_pressure_stalled_seconds_total', 'PSI memory "full" total: time all non-idle tasks stalled on memory');
  const pressureAvg10 = reading('gov_memory_pressure_some_avg10_ratio', 'PSI memory "some" avg10 as a ratio (0-1): what governor.psi_some_avg10_max is compared with');
  const refaults = kernelCounter('gov_workingset_refaults_total', 'Pages refaulted after being reclaimed (workingset_refault_file + workingset_refault_anon of /proc/vmstat)');
  const oomKills = kernelCounter('gov_oom_kills_total', 'OOM kills (oom_kill of /proc/vmstat)');
  const degraded = new Gauge({
    name: 'gov_source_degraded',
    help: 'Whether a memory source failed in the last snapshot (1) or answered (0); a source this machine does not offer is not listed',
    labelNames: ['source'],
    registers,
  });

  const reclaims = new Counter({
    name: 'gov_reclaims_total',
    help: 'Actions run: reclaims by catalogue method, and the idle actions pause_idle_containers and reclaim_idle_pods; by trigger (governor, api) and outcome (ok, failed, dry_run)',
    labelNames: ['method', 'trigger', 'outcome'],
    registers,
  });
  const freed = new Counter({ name: 'gov_reclaim_freed_bytes_total', help: 'Bytes actions gave back, by method (0 for dry runs)', labelNames: ['method'], registers });
  const pausedContainers = new Counter({ name: 'gov_containers_paused_total', help: 'Idle containers govd paused', registers });
  const reclaimedPods = new Counter({ name: 'gov_pods_reclaimed_total', help: 'Idle pods whose page cache govd reclaimed', registers });
  const decisions = new Counter({ name: 'gov_decisions_total', help: 'Governor decisions, by kind, policy and reason code', labelNames: ['kind', 'policy', 'reason'], registers });
  const tickDuration = new Histogram({ name: 'gov_tick_duration_seconds', help: 'Duration of one governor tick: sense, decide, act, record', buckets: TICK_BUCKETS_SECONDS, registers });
  const tickErrors = new Counter({ name: 'gov_tick_errors_total', help: 'Parts of ticks that failed, by stage (snapshot, decide, advise, act, history, other)', labelNames: ['stage'], registers });
  const lastTick = reading('gov_last_tick_timestamp_seconds', 'When the last governor tick finished, since the Unix epoch');
  const feedback = new Counter({ name: 'gov_feedback_total', help: 'User feedback received, by kind', labelNames: ['kind'], registers });
  const telemetryBytes = new Gauge({ name: 'gov_telemetry_bytes', help: 'Bytes held by the daemon in its telemetry ring buffers', registers });

  const { config, state, history } = readers;
  if (config) {
    const fromConfig = (name: string, help: string, value: (current: GovConfig) => number): CollectedSpec<GovConfig> => ({ name, help, kind: 'gauge', samples: (current) => [{ value: value(current) }] });
    registerCollected(registry, config, [
      fromConfig('gov_check_interval_seconds', 'governor.check_interval_secs: seconds between two ticks', (current) => current.governor.check_interval_secs),
      fromConfig('gov_host_available_target_ratio', 'governor.dynamic.host_target_available_percent as a ratio: the dynamic policy reclaims while host available / total is below it', (current) => current.governor.dynamic.host_target_available_percent / 100),
      fromConfig('gov_refault_storm_threshold_pages_per_second', 'governor.refault_storm_pages_per_sec: a refault rate at or above it within 5 minutes of an action counts as a storm', (current) => current.governor.refault_storm_pages_per_sec),
    ]);
  }
  if (state) {
    registerCollected(registry, state, [
      { name: 'gov_backoff_factor', help: 'How much the policy interval is stretched after an OOM kill or refault storm blamed on an action (1: no backoff)', kind: 'gauge', samples: (current) => [{ value: current.backoff.factor }] },
    ]);
  }
  if (history) {
    registerCollected(registry, history, [
      { name: 'gov_history_writable', help: 'Whether the last append to the history file succeeded (1), or failed (0, e.g. a full disk) and none has succeeded since', kind: 'gauge', samples: (current) => [{ value: current.writable ? 1 : 0 }] },
      { name: 'gov_history_write_failures_total', help: 'Appends to the history file that failed (a full disk, a refused file)', kind: 'counter', samples: (current) => [{ value: current.failures }] },
    ]);
  }
  if (readers.learner) registerLearnerMetrics(registry, readers.learner);
  registerWorkloadMetrics(registry, readers);

  function recordReclaim(sample: ReclaimSample): void {
    const outcome = sample.dryRun ? 'dry_run' : sample.failed ? 'failed' : 'ok';
    reclaims.inc({ method: sample.method, trigger: sample.trigger, outcome });
    // A dry run frees nothing; counting its 0 still gives the method its series.
    freed.inc({ method: sample.method }, sample.dryRun ? 0 : Math.max(0, sample.freedBytes));
  }

  return {
    registry,
    recordSnapshot(snapshot: Snapshot): void {
      const { linux, host, pressure, vmstat } = snapshot;
      setReading(linuxTotal, linux?.total);
      if (linux) {
        linuxParts.set({ state: 'free' }, linux.free);
        linuxParts.set({ state: 'application' }, linux.actualUsage);
        linuxParts.set({ state: 'reclaimable' }, linux.reclaimable);
      } else linuxParts.reset();
      setReading(linuxAvailable, linux?.available);
      setReading(linuxBuffCache, linux?.buffCache);
      setReading(swapTotal, linux?.swapTotal);
      setReading(swapUsed, linux?.swapUsed);
      setReading(hostTotal, host?.total);
      setReading(hostAvailable, host?.available);
      setReading(vmMemory, host?.vmmem);
      setReading(waste, linux && host ? wasteBytes({ linux, host }) : null);
      // A kernel counter keeps its last value when a snapshot misses it: it never goes back.
      if (pressure) {
        setCounter(pressureWaiting, pressure.some.totalUs / 1e6);
        if (pressure.full) setCounter(pressureStalled, pressure.full.totalUs / 1e6);
      }
      setReading(pressureAvg10, pressure ? pressure.some.avg10 / 100 : null);
      if (vmstat) {
        if (vmstat.workingsetRefaultFile !== null || vmstat.workingsetRefaultAnon !== null) setCounter(refaults, (vmstat.workingsetRefaultFile ?? 0) + (vmstat.workingsetRefaultAnon ?? 0));
        if (vmstat.oomKill !== null) setCounter(oomKills, vmstat.oomKill);
      }
      // Every source this machine offers gets a series; one it does not offer gets none.
      degraded.reset();
      const failing = new Set(failingSources(snapshot).map((entry) => entry.source));
      const absent = new Set(snapshot.degraded.map((entry) => entry.source).filter((source) => !failing.has(source)));
      const sources = new Set<string>([...SNAPSHOT_SOURCES.filter((source) => source !== 'host' || snapshot.environment !== 'linux'), ...failing]);
      for (const source of sources) if (!absent.has(source)) degraded.set({ source }, failing.has(source) ? 1 : 0);
    },
    recordDecision(decision: DecisionSample): void {
      decisions.inc({ kind: decision.kind, policy: decision.policy, reason: decision.code });
    },
    recordReclaim,
    /**
     * An idle action: `count` containers paused, or pods whose page cache was reclaimed — by the
     * Governor's tick, or (one container paused by name) through the API.
     */
    recordIdleAction(action: IdleActionSample): void {
      const pods = action.kind === 'reclaim-idle-pods';
      recordReclaim({ method: pods ? IDLE_PODS_METHOD : PAUSE_IDLE_METHOD, trigger: action.trigger ?? 'governor', dryRun: action.dryRun, failed: action.failed ?? false, freedBytes: action.freedBytes });
      if (!action.dryRun) (pods ? reclaimedPods : pausedContainers).inc(action.count);
    },
    observeTick(durationSeconds: number, finishedAt: Date, failedStages: readonly string[]): void {
      tickDuration.observe(durationSeconds);
      lastTick.set(finishedAt.getTime() / 1000);
      for (const stage of failedStages) tickErrors.inc({ stage });
    },
    recordFeedback(kind: string): void {
      feedback.inc({ kind });
    },
    setTelemetryBytes(bytes: number): void {
      telemetryBytes.set(bytes);
    },
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** A label-less metric without its series: prom-client otherwise shows 0 before the first value. */
function unset<M extends Gauge | Counter>(metric: M): M {
  metric.remove();
  return metric;
}

/** Sets a label-less gauge, or drops its series when the value is not known. */
function setReading(gauge: Gauge, value: number | null | undefined): void {
  if (value === null || value === undefined) gauge.remove();
  else gauge.set(value);
}

/** Sets a label-less counter to a cumulative value the kernel keeps (it only resets when the machine does). */
function setCounter(counter: Counter, value: number): void {
  counter.reset();
  counter.inc(Math.max(0, value));
}

export type Metrics = ReturnType<typeof createMetrics>;
