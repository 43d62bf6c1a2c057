import type { Snapshot } from '@gov/meminfo';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

const GIB = 1024 ** 3;

const snapshot: Snapshot = {
  at: '2026-01-28T10:00:00.000Z',
  environment: 'linux',
  linux: {
    total: 16 * GIB,
    used: 6 * GIB,
    free: 2 * GIB,
    shared: 0,
    buffCache: 8 * GIB,
    available: 10 * GIB,
    swapTotal: 0,
    swapUsed: 0,
    swapFree: 0,
    buffers: GIB,
    cached: 7 * GIB,
    sReclaimable: 0,
    shmem: 0,
    reclaimable: 8 * GIB,
    actualUsage: 6 * GIB,
    activeFile: null,
    inactiveFile: null,
  },
  pressure: { some: { avg10: 1.5, avg60: 0, avg300: 0, totalUs: 0 }, full: null },
  vmstat: null,
  cpu: null,
  host: { total: 16 * GIB, available: 10 * GIB, vmmem: null },
  degraded: [{ source: 'docker', code: 'GOV_DOCKER_UNAVAILABLE', message: 'no engine' }],
};

function sample(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('createMetrics', () => {
  it('exposes memory gauges from a snapshot', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordSnapshot(snapshot);
    const { body, contentType } = await metrics.render();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(body, 'gov_linux_memory_bytes{')).toEqual([
      'gov_linux_memory_bytes{kind="total"} 17179869184',
      'gov_linux_memory_bytes{kind="used"} 6442450944',
      'gov_linux_memory_bytes{kind="free"} 2147483648',
      'gov_linux_memory_bytes{kind="available"} 10737418240',
      'gov_linux_memory_bytes{kind="buff_cache"} 8589934592',
      'gov_linux_memory_bytes{kind="cached"} 7516192768',
      'gov_linux_memory_bytes{kind="reclaimable"} 8589934592',
      'gov_linux_memory_bytes{kind="actual_usage"} 6442450944',
      'gov_linux_memory_bytes{kind="swap_used"} 0',
    ]);
    expect(sample(body, 'gov_host_memory_bytes{')).toEqual(['gov_host_memory_bytes{kind="total"} 17179869184', 'gov_host_memory_bytes{kind="available"} 10737418240']);
    expect(sample(body, 'gov_memory_pressure_some_avg10 ')).toEqual(['gov_memory_pressure_some_avg10 1.5']);
    expect(sample(body, 'gov_degraded_sources ')).toEqual(['gov_degraded_sources 1']);
  });

  it('counts reclaims by method, trigger and outcome, and freed bytes only for real ones', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordReclaim({ method: 'full', trigger: 'governor', dryRun: false, failed: false, freedBytes: 3 * GIB });
    metrics.recordReclaim({ method: 'full', trigger: 'governor', dryRun: false, failed: false, freedBytes: GIB });
    metrics.recordReclaim({ method: 'drop_caches', trigger: 'api', dryRun: false, failed: true, freedBytes: -5 });
    metrics.recordReclaim({ method: 'full', trigger: 'governor', dryRun: true, failed: false, freedBytes: 0 });
    const { body } = await metrics.render();
    expect(sample(body, 'gov_reclaims_total{')).toEqual([
      'gov_reclaims_total{method="full",trigger="governor",outcome="ok"} 2',
      'gov_reclaims_total{method="drop_caches",trigger="api",outcome="failed"} 1',
      'gov_reclaims_total{method="full",trigger="governor",outcome="dry_run"} 1',
    ]);
    expect(sample(body, 'gov_reclaim_freed_bytes_total{')).toEqual(['gov_reclaim_freed_bytes_total{method="full"} 4294967296', 'gov_reclaim_freed_bytes_total{method="drop_caches"} 0']);
  });

  it('counts decisions by kind, policy and reason code, and observes tick durations', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordDecision({ kind: 'none', policy: 'dynamic', code: 'host-ok' });
    metrics.recordDecision({ kind: 'none', policy: 'dynamic', code: 'host-ok' });
    metrics.recordDecision({ kind: 'reclaim', policy: 'emergency', code: 'emergency' });
    metrics.observeTick(120, false);
    metrics.observeTick(3000, true);
    metrics.recordFeedback('slow');
    metrics.setTelemetryBytes(4096);
    const { body } = await metrics.render();
    expect(sample(body, 'gov_decisions_total{')).toEqual(['gov_decisions_total{kind="none",policy="dynamic",reason="host-ok"} 2', 'gov_decisions_total{kind="reclaim",policy="emergency",reason="emergency"} 1']);
    expect(sample(body, 'gov_tick_duration_seconds_')).toEqual([
      'gov_tick_duration_seconds_bucket{le="0.005"} 0',
      'gov_tick_duration_seconds_bucket{le="0.01"} 0',
      'gov_tick_duration_seconds_bucket{le="0.025"} 0',
      'gov_tick_duration_seconds_bucket{le="0.05"} 0',
      'gov_tick_duration_seconds_bucket{le="0.1"} 0',
      'gov_tick_duration_seconds_bucket{le="0.25"} 1',
      'gov_tick_duration_seconds_bucket{le="0.5"} 1',
      'gov_tick_duration_seconds_bucket{le="1"} 1',
      'gov_tick_duration_seconds_bucket{le="2.5"} 1',
      'gov_tick_duration_seconds_bucket{le="5"} 2',
      'gov_tick_duration_seconds_bucket{le="10"} 2',
      'gov_tick_duration_seconds_bucket{le="30"} 2',
      'gov_tick_duration_seconds_bucket{le="+Inf"} 2',
      'gov_tick_duration_seconds_sum 3.12',
      'gov_tick_duration_seconds_count 2',
    ]);
    expect(sample(body, 'gov_tick_errors_total ')).toEqual(['gov_tick_errors_total 1']);
    expect(sample(body, 'gov_feedback_total{')).toEqual(['gov_feedback_total{kind="slow"} 1']);
    expect(sample(body, 'gov_telemetry_bytes ')).toEqual(['gov_telemetry_bytes 4096']);
  });

  it('includes the process metrics under their stock names by default', async () => {
    const { body } = await createMetrics().render();
    expect(sample(body, 'process_resident_memory_bytes ')).toHaveLength(1);
    expect(sample(body, 'govd_')).toEqual([]);
  });
});
