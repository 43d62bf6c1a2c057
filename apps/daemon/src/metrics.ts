import type { Snapshot } from '@gov/meminfo';
import type { ReclaimResultLike } from '@gov/policies';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a decision contributes to the metrics: its kind, policy and reason code. */
export interface DecisionSample {
  kind: string;
  policy: string;
  /** The decision's short stable reason (`host-below-target`, `cooldown`, …). */
  code: string;
}

/** One reclaim the daemon ran (or would have run, in dry-run mode). */
export interface ReclaimSample {
  method: string;
  /** Who asked: the governor's tick or the HTTP API. */
  trigger: 'governor' | 'api';
  dryRun: boolean;
  /** Whether a step of the reclaim failed. */
  failed: boolean;
  freedBytes: number;
}

/** A reclaim's result as the metrics count it: under the method that really ran. */
export function reclaimSample(result: ReclaimResultLike, trigger: ReclaimSample['trigger']): ReclaimSample {
  return { method: result.fallback?.to ?? result.method, trigger, dryRun: result.dryRun, failed: result.steps.some((step) => step.status === 'failed'), freedBytes: result.freedBytes };
}

const LINUX_FIELDS = ['total', 'used', 'free', 'available', 'buffCache', 'cached', 'reclaimable', 'actualUsage', 'swapUsed'] as const;
const LINUX_LABELS: Record<(typeof LINUX_FIELDS)[number], string> = {
  total: 'total',
  used: 'used',
  free: 'free',
  available: 'available',
  buffCache: 'buff_cache',
  cached: 'cached',
  reclaimable: 'reclaimable',
  actualUsage: 'actual_usage',
  swapUsed: 'swap_used',
};

/** The Prometheus metrics govd serves on GET /metrics, in a registry of their own. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'govd_' });

  const linuxMemory = new Gauge({ name: 'gov_linux_memory_bytes', help: 'Linux memory from /proc/meminfo, by kind', labelNames: ['kind'], registers: [registry] });
  const hostMemory = new Gauge({ name: 'gov_host_memory_bytes', help: 'Memory of the host (Windows under WSL2, this machine on Linux), by kind', labelNames: ['kind'], registers: [registry] });
  const psi = new Gauge({ name: 'gov_memory_pressure_some_avg10', help: 'PSI memory "some" avg10: share of time some task stalled on memory', registers: [registry] });
  const degraded = new Gauge({ name: 'gov_degraded_sources', help: 'Memory sources that failed in the last snapshot', registers: [registry] });
  const reclaims = new Counter({ name: 'gov_reclaims_total', help: 'Reclaims run, by method, trigger and outcome (ok, failed, dry_run)', labelNames: ['method', 'trigger', 'outcome'], registers: [registry] });
  const freed = new Counter({ name: 'gov_reclaim_freed_bytes_total', help: 'Bytes reclaims gave back, by method', labelNames: ['method'], registers: [registry] });
  const decisions = new Counter({ name: 'gov_decisions_total', help: 'Governor decisions, by kind, policy and reason code', labelNames: ['kind', 'policy', 'reason'], registers: [registry] });
  const tickDuration = new Histogram({
    name: 'gov_tick_duration_seconds',
    help: 'Duration of one governor tick: snapshot, decide, act, record',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const tickErrors = new Counter({ name: 'gov_tick_errors_total', help: 'Ticks that failed in some part', registers: [registry] });
  const feedback = new Counter({ name: 'gov_feedback_total', help: 'User feedback received, by kind', labelNames: ['kind'], registers: [registry] });
  const telemetryBytes = new Gauge({ name: 'gov_telemetry_bytes', help: 'Bytes held by the daemon in its telemetry ring buffers', registers: [registry] });
  const historyWritable = new Gauge({ name: 'gov_history_writable', help: 'Whether the last append to the history file succeeded (0 after a failure such as a full disk, until one succeeds)', registers: [registry] });
  const historyFailures = new Counter({ name: 'gov_history_write_failures_total', help: 'Appends to the history file that failed (a full disk, a refused file)', registers: [registry] });
  historyWritable.set(1);
  let historyFailuresSeen = 0;

  return {
    registry,
    recordSnapshot(snapshot: Snapshot): void {
      if (snapshot.linux) for (const field of LINUX_FIELDS) linuxMemory.set({ kind: LINUX_LABELS[field] }, snapshot.linux[field]);
      if (snapshot.host) {
        hostMemory.set({ kind: 'total' }, snapshot.host.total);
        hostMemory.set({ kind: 'available' }, snapshot.host.available);
        if (snapshot.host.vmmem !== null) hostMemory.set({ kind: 'vmmem' }, snapshot.host.vmmem);
      }
      if (snapshot.pressure) psi.set(snapshot.pressure.some.avg10);
      degraded.set(snapshot.degraded.length);
    },
    recordDecision(decision: DecisionSample): void {
      decisions.inc({ kind: decision.kind, policy: decision.policy, reason: decision.code });
    },
    recordReclaim(sample: ReclaimSample): void {
      const outcome = sample.dryRun ? 'dry_run' : sample.failed ? 'failed' : 'ok';
      reclaims.inc({ method: sample.method, trigger: sample.trigger, outcome });
      if (!sample.dryRun) freed.inc({ method: sample.method }, Math.max(0, sample.freedBytes));
    },
    observeTick(durationMs: number, failed: boolean): void {
      tickDuration.observe(durationMs / 1000);
      if (failed) tickErrors.inc();
    },
    recordFeedback(kind: string): void {
      feedback.inc({ kind });
    },
    setTelemetryBytes(bytes: number): void {
      telemetryBytes.set(bytes);
    },
    setHistoryStatus(status: { writable: boolean; failures: number }): void {
      historyWritable.set(status.writable ? 1 : 0);
      if (status.failures > historyFailuresSeen) historyFailures.inc(status.failures - historyFailuresSeen);
      historyFailuresSeen = status.failures;
    },
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
