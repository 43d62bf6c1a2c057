import type { Capabilities } from '@gov/api';
import type { Snapshot } from '@gov/meminfo';
import type { Governor, Logger } from '@gov/policies';
import { reclaimSample, type Metrics } from './metrics.js';
import type { Telemetry } from './telemetry.js';

/** What govd remembers of the ticks for `/api/status` and the probes: how many, when the last finished, the last snapshot, what Docker said last. */
export interface TickMemory {
  readonly count: number;
  readonly lastTickAt: Date | null;
  readonly lastSnapshot: Snapshot | null;
  readonly docker: Pick<Capabilities['docker'], 'available' | 'error'>;
}

/** Feeds every tick report to the metrics, the telemetry and the debug log, and remembers what the status needs. */
export function observeTicks(governor: Governor, options: { metrics: Metrics; telemetry: Telemetry; logger: Logger }): TickMemory {
  const { metrics, telemetry, logger } = options;
  const memory: { -readonly [K in keyof TickMemory]: TickMemory[K] } = { count: 0, lastTickAt: null, lastSnapshot: null, docker: { available: null, error: null } };
  governor.onTick((report) => {
    memory.count += 1;
    memory.lastTickAt = new Date(Date.parse(report.at) + report.durationMs);
    if (report.snapshot) {
      memory.lastSnapshot = report.snapshot;
      metrics.recordSnapshot(report.snapshot);
      telemetry.recordSnapshot(report.snapshot);
    }
    if (report.containers) memory.docker = { available: report.containers.available, error: report.containers.error };
    if (report.taken) metrics.recordDecision(report.taken);
    if (report.action?.kind === 'reclaim') metrics.recordReclaim(reclaimSample(report.action.result, 'governor'));
    if (report.action?.kind === 'pause-idle-containers') metrics.recordIdleAction({ kind: report.action.kind, count: report.action.paused.length, freedBytes: report.action.freedBytes, dryRun: report.action.dryRun });
    if (report.action?.kind === 'reclaim-idle-pods') metrics.recordIdleAction({ kind: report.action.kind, count: report.action.reclaimed.length, freedBytes: report.action.freedBytes, dryRun: report.action.dryRun });
    metrics.observeTick(report.durationMs / 1000, memory.lastTickAt, report.errors.map((error) => error.stage));
    metrics.setTelemetryBytes(telemetry.memoryStatus().totalBytes);
    logger.debug({ decision: report.taken?.code ?? null, durationMs: report.durationMs, errors: report.errors.length }, 'tick');
  });
  return memory;
}
