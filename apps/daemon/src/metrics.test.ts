import type { ContainersResponse, PodsResponse } from '@gov/api';
import type { ContainerInfo, PodInfo } from '@gov/docker';
import type { Snapshot } from '@gov/meminfo';
import { createPolicyState, defaultConfig } from '@gov/policies';
import { describe, expect, it } from 'vitest';
import type { LearnerReading } from './learner-metrics.js';
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
    swapTotal: 4 * GIB,
    swapUsed: GIB,
    swapFree: 3 * GIB,
    buffers: GIB,
    cached: 7 * GIB,
    sReclaimable: 0,
    shmem: 0,
    reclaimable: 8 * GIB,
    actualUsage: 6 * GIB,
    activeFile: null,
    inactiveFile: null,
  },
  pressure: { some: { avg10: 1.5, avg60: 0, avg300: 0, totalUs: 2_500_000 }, full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 1_000_000 } },
  vmstat: { workingsetRefaultFile: 300, workingsetRefaultAnon: 12, pgmajfault: 0, oomKill: 2, pgsteal: 0, pgscan: 0 },
  cpu: null,
  host: { total: 16 * GIB, available: 10 * GIB, vmmem: null },
  degraded: [
    { source: 'cpu', code: 'GOV_MEMINFO_TIMEOUT', message: 'no answer' },
    { source: 'pressure', code: 'GOV_MEMINFO_UNSUPPORTED', message: 'no PSI' },
  ],
};

/** The sample lines of the given metric names, in the order they are exposed. */
function samples(text: string, ...names: string[]): string[] {
  return text.split('\n').filter((line) => names.some((name) => line.startsWith(`${name} `) || line.startsWith(`${name}{`)));
}

async function body(metrics: ReturnType<typeof createMetrics>): Promise<string> {
  return (await metrics.render()).body;
}

describe('createMetrics', () => {
  it('has no memory series before the first snapshot, and counters at 0', async () => {
    const text = await body(createMetrics({ version: '1.2.3', processMetrics: false }));
    expect(samples(text, 'gov_linux_memory_total_bytes', 'gov_linux_memory_bytes', 'gov_host_memory_available_bytes', 'gov_workingset_refaults_total', 'gov_last_tick_timestamp_seconds', 'gov_source_degraded')).toEqual([]);
    expect(samples(text, 'gov_containers_paused_total', 'gov_pods_reclaimed_total')).toEqual(['gov_containers_paused_total 0', 'gov_pods_reclaimed_total 0']);
  });

  it('shows WSL2 host memory, the VM and its waste', async () => {
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false });
    metrics.recordSnapshot({ ...snapshot, environment: 'wsl-guest', host: { total: 32 * GIB, available: 12 * GIB, vmmem: 10 * GIB }, degraded: [] });
    expect(samples(await body(metrics), 'gov_host_memory_total_bytes', 'gov_host_memory_available_bytes', 'gov_host_vm_memory_bytes', 'gov_memory_waste_bytes', 'gov_source_degraded')).toEqual([
      'gov_host_memory_total_bytes 34359738368',
      'gov_host_memory_available_bytes 12884901888',
      'gov_host_vm_memory_bytes 10737418240',
      'gov_memory_waste_bytes 4294967296',
      'gov_source_degraded{source="linux"} 0',
      'gov_source_degraded{source="pressure"} 0',
      'gov_source_degraded{source="vmstat"} 0',
      'gov_source_degraded{source="cpu"} 0',
      'gov_source_degraded{source="host"} 0',
    ]);
  });

  it('exposes the build, and memory from a snapshot in base units, parts that add up to the whole', async () => {
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false });
    metrics.recordSnapshot(snapshot);
    const { body: text, contentType } = await metrics.render();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(samples(text, 'gov_build_info')).toEqual([`gov_build_info{version="1.2.3",node="${process.versions.node}"} 1`]);
    expect(samples(text, 'gov_linux_memory_total_bytes', 'gov_linux_memory_bytes', 'gov_linux_memory_available_bytes', 'gov_linux_memory_buff_cache_bytes', 'gov_linux_swap_total_bytes', 'gov_linux_swap_used_bytes')).toEqual([
      'gov_linux_memory_total_bytes 17179869184',
      'gov_linux_memory_bytes{state="free"} 2147483648',
      'gov_linux_memory_bytes{state="application"} 6442450944',
      'gov_linux_memory_bytes{state="reclaimable"} 8589934592',
      'gov_linux_memory_available_bytes 10737418240',
      'gov_linux_memory_buff_cache_bytes 8589934592',
      'gov_linux_swap_total_bytes 4294967296',
      'gov_linux_swap_used_bytes 1073741824',
    ]);
    // On plain Linux there is no VM: no vmmem, no waste, and no series for them.
    expect(samples(text, 'gov_host_memory_total_bytes', 'gov_host_memory_available_bytes', 'gov_host_vm_memory_bytes', 'gov_memory_waste_bytes')).toEqual(['gov_host_memory_total_bytes 17179869184', 'gov_host_memory_available_bytes 10737418240']);
    expect(samples(text, 'gov_memory_pressure_waiting_seconds_total', 'gov_memory_pressure_stalled_seconds_total', 'gov_memory_pressure_some_avg10_ratio', 'gov_workingset_refaults_total', 'gov_oom_kills_total')).toEqual([
      'gov_memory_pressure_waiting_seconds_total 2.5',
      'gov_memory_pressure_stalled_seconds_total 1',
      'gov_memory_pressure_some_avg10_ratio 0.015',
      'gov_workingset_refaults_total 312',
      'gov_oom_kills_total 2',
    ]);
    // pressure is not offered by this kernel: no series; cpu timed out; host is this machine on Linux.
    expect(samples(text, 'gov_source_degraded')).toEqual(['gov_source_degraded{source="linux"} 0', 'gov_source_degraded{source="vmstat"} 0', 'gov_source_degraded{source="cpu"} 1']);
  });

  it('keeps the kernel counters at the kernel\'s cumulative values from one snapshot to the next', async () => {
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false });
    metrics.recordSnapshot(snapshot);
    metrics.recordSnapshot({ ...snapshot, vmstat: { ...snapshot.vmstat!, workingsetRefaultFile: 1000, oomKill: 3 }, degraded: [] });
    expect(samples(await body(metrics), 'gov_workingset_refaults_total', 'gov_oom_kills_total', 'gov_source_degraded')).toEqual([
      'gov_workingset_refaults_total 1012',
      'gov_oom_kills_total 3',
      'gov_source_degraded{source="linux"} 0',
      'gov_source_degraded{source="pressure"} 0',
      'gov_source_degraded{source="vmstat"} 0',
      'gov_source_degraded{source="cpu"} 0',
    ]);
  });

  it('counts actions by method, trigger and outcome, and freed bytes (none in a dry run)', async () => {
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false });
    metrics.recordReclaim({ method: 'full', trigger: 'governor', dryRun: false, failed: false, freedBytes: 3 * GIB });
    metrics.recordReclaim({ method: 'full', trigger: 'governor', dryRun: false, failed: false, freedBytes: GIB });
    metrics.recordReclaim({ method: 'drop_caches', trigger: 'api', dryRun: false, failed: true, freedBytes: -5 });
    metrics.recordReclaim({ method: 'full', trigger: 'governor', dryRun: true, failed: false, freedBytes: 0 });
    metrics.recordIdleAction({ kind: 'pause-idle-containers', count: 2, freedBytes: GIB, dryRun: false });
    metrics.recordIdleAction({ kind: 'pause-idle-containers', count: 1, freedBytes: 0, dryRun: true });
    metrics.recordIdleAction({ kind: 'reclaim-idle-pods', count: 3, freedBytes: 2 * GIB, dryRun: false });
    metrics.recordIdleAction({ kind: 'pause-idle-containers', count: 1, freedBytes: GIB, dryRun: false, trigger: 'api' });
    metrics.recordIdleAction({ kind: 'pause-idle-containers', count: 0, freedBytes: 0, dryRun: false, trigger: 'api', failed: true });
    expect(samples(await body(metrics), 'gov_reclaims_total', 'gov_reclaim_freed_bytes_total', 'gov_containers_paused_total', 'gov_pods_reclaimed_total')).toEqual([
      'gov_reclaims_total{method="full",trigger="governor",outcome="ok"} 2',
      'gov_reclaims_total{method="drop_caches",trigger="api",outcome="failed"} 1',
      'gov_reclaims_total{method="full",trigger="governor",outcome="dry_run"} 1',
      'gov_reclaims_total{method="pause_idle_containers",trigger="governor",outcome="ok"} 1',
      'gov_reclaims_total{method="pause_idle_containers",trigger="governor",outcome="dry_run"} 1',
      'gov_reclaims_total{method="reclaim_idle_pods",trigger="governor",outcome="ok"} 1',
      'gov_reclaims_total{method="pause_idle_containers",trigger="api",outcome="ok"} 1',
      'gov_reclaims_total{method="pause_idle_containers",trigger="api",outcome="failed"} 1',
      'gov_reclaim_freed_bytes_total{method="full"} 4294967296',
      'gov_reclaim_freed_bytes_total{method="drop_caches"} 0',
      'gov_reclaim_freed_bytes_total{method="pause_idle_containers"} 2147483648',
      'gov_reclaim_freed_bytes_total{method="reclaim_idle_pods"} 2147483648',
      'gov_containers_paused_total 3',
      'gov_pods_reclaimed_total 3',
    ]);
  });

  it('counts decisions by reason, tick errors by stage, and times ticks', async () => {
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false });
    metrics.recordDecision({ kind: 'none', policy: 'dynamic', code: 'host-ok' });
    metrics.recordDecision({ kind: 'none', policy: 'dynamic', code: 'host-ok' });
    metrics.recordDecision({ kind: 'reclaim', policy: 'emergency', code: 'emergency' });
    metrics.observeTick(0.12, new Date('2026-01-28T10:00:00.500Z'), []);
    metrics.observeTick(3, new Date('2026-01-28T10:00:33.000Z'), ['snapshot', 'history']);
    metrics.recordFeedback('slow');
    metrics.setTelemetryBytes(4096);
    const text = await body(metrics);
    expect(samples(text, 'gov_decisions_total')).toEqual(['gov_decisions_total{kind="none",policy="dynamic",reason="host-ok"} 2', 'gov_decisions_total{kind="reclaim",policy="emergency",reason="emergency"} 1']);
    expect(samples(text, 'gov_tick_duration_seconds_bucket').slice(4, 7)).toEqual(['gov_tick_duration_seconds_bucket{le="0.1"} 0', 'gov_tick_duration_seconds_bucket{le="0.25"} 1', 'gov_tick_duration_seconds_bucket{le="0.5"} 1']);
    expect(samples(text, 'gov_tick_duration_seconds_sum', 'gov_tick_duration_seconds_count', 'gov_tick_errors_total', 'gov_last_tick_timestamp_seconds', 'gov_feedback_total', 'gov_telemetry_bytes')).toEqual([
      'gov_tick_duration_seconds_sum 3.12',
      'gov_tick_duration_seconds_count 2',
      'gov_tick_errors_total{stage="snapshot"} 1',
      'gov_tick_errors_total{stage="history"} 1',
      'gov_last_tick_timestamp_seconds 1769594433',
      'gov_feedback_total{kind="slow"} 1',
      'gov_telemetry_bytes 4096',
    ]);
  });

  it('reads whether the history takes appends, and its failed appends, when scraped', async () => {
    let status = { writable: true, failures: 0 };
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false, readers: { history: () => status } });
    const names = ['gov_history_writable', 'gov_history_write_failures_total'];
    expect(samples(await body(metrics), ...names)).toEqual(['gov_history_writable 1', 'gov_history_write_failures_total 0']);
    status = { writable: false, failures: 3 };
    expect(samples(await body(metrics), ...names)).toEqual(['gov_history_writable 0', 'gov_history_write_failures_total 3']);
    status = { writable: true, failures: 3 };
    expect(samples(await body(metrics), ...names)).toEqual(['gov_history_writable 1', 'gov_history_write_failures_total 3']);
  });

  it('reads the config targets and the backoff when scraped', async () => {
    let config = defaultConfig;
    const state = { ...createPolicyState(), backoff: { factor: 4, changedAt: null, blamedActionAt: null } };
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false, readers: { config: () => config, state: () => state } });
    const names = ['gov_check_interval_seconds', 'gov_host_available_target_ratio', 'gov_refault_storm_threshold_pages_per_second', 'gov_backoff_factor'];
    expect(samples(await body(metrics), ...names)).toEqual(['gov_check_interval_seconds 30', 'gov_host_available_target_ratio 0.25', 'gov_refault_storm_threshold_pages_per_second 2000', 'gov_backoff_factor 4']);
    config = { ...defaultConfig, governor: { ...defaultConfig.governor, check_interval_secs: 5 } };
    expect(samples(await body(metrics), 'gov_check_interval_seconds')).toEqual(['gov_check_interval_seconds 5']);
  });

  it('exports the learner\'s outcomes and verdicts, and its last verdict as a one-hot set', async () => {
    let reading: LearnerReading = { phase: 'advising', samples: 40, pendingOutcomes: 2, outcomes: 40, harmful: 3, expired: 1, verdicts: { allow: 30, veto: 5, shrink: 4, raise: 1 }, lastAdvice: { at: '2026-01-28T10:00:00.000Z', verdict: 'veto', reason: 'r', targetBytes: null } };
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false, readers: { learner: () => reading } });
    const names = ['gov_learner_outcomes_total', 'gov_learner_expired_outcomes_total', 'gov_learner_verdicts_total', 'gov_learner_samples', 'gov_learner_pending_outcomes', 'gov_learner_advising', 'gov_learner_last_verdict', 'gov_learner_last_advice_timestamp_seconds'];
    expect(samples(await body(metrics), ...names)).toEqual([
      'gov_learner_outcomes_total{result="harmless"} 37',
      'gov_learner_outcomes_total{result="harmful"} 3',
      'gov_learner_expired_outcomes_total 1',
      'gov_learner_verdicts_total{verdict="allow"} 30',
      'gov_learner_verdicts_total{verdict="veto"} 5',
      'gov_learner_verdicts_total{verdict="shrink"} 4',
      'gov_learner_verdicts_total{verdict="raise"} 1',
      'gov_learner_samples 40',
      'gov_learner_pending_outcomes 2',
      'gov_learner_advising 1',
      'gov_learner_last_verdict{verdict="allow"} 0',
      'gov_learner_last_verdict{verdict="veto"} 1',
      'gov_learner_last_verdict{verdict="shrink"} 0',
      'gov_learner_last_verdict{verdict="raise"} 0',
      'gov_learner_last_advice_timestamp_seconds 1769594400',
    ]);
    // After `gov learn reset`: the counters start over, and there is no last verdict.
    reading = { ...reading, phase: 'observing', samples: 0, pendingOutcomes: 0, outcomes: 0, harmful: 0, expired: 0, verdicts: { allow: 0, veto: 0, shrink: 0, raise: 0 }, lastAdvice: null };
    const after = await body(metrics);
    expect(samples(after, 'gov_learner_outcomes_total', 'gov_learner_advising', 'gov_learner_last_verdict')).toEqual(['gov_learner_outcomes_total{result="harmless"} 0', 'gov_learner_outcomes_total{result="harmful"} 0', 'gov_learner_advising 0']);
  });

  it('lists each running or paused container once per scrape, and drops the series of one that is gone', async () => {
    const container = (id: string, name: string, state: ContainerInfo['state'], idleForMs: number | null): ContainerInfo => ({
      id: id.repeat(64),
      name,
      image: 'busybox',
      state,
      labels: {},
      compose: null,
      dependsOn: [],
      networks: [],
      startedAt: '2026-01-28T09:00:00.000Z',
      memory: { usage: 3 * GIB, workingSet: 2 * GIB, cache: GIB, anon: GIB, shmem: 0, limit: null },
      cpu: { usageNs: 1_500_000_000, percent: 0.2 },
      idleForMs,
      cgroup: null,
      source: 'cgroup',
      pausedByGov: state === 'paused',
    });
    let listing: ContainersResponse = { available: true, error: null, sampledAt: '2026-01-28T10:00:00.000Z', containers: [container('a', 'web', 'running', 90_000), container('b', 'db', 'paused', null)] };
    let listings = 0;
    const metrics = createMetrics({
      version: '1.2.3',
      processMetrics: false,
      readers: {
        containers: async () => {
          listings += 1;
          return listing;
        },
      },
    });
    const names = ['gov_docker_up', 'gov_container_memory_usage_bytes', 'gov_container_cpu_seconds_total', 'gov_container_idle_seconds', 'gov_container_paused'];
    const a = `container="web",id="${'a'.repeat(64)}"`;
    const b = `container="db",id="${'b'.repeat(64)}"`;
    expect(samples(await body(metrics), ...names)).toEqual([
      'gov_docker_up 1',
      `gov_container_memory_usage_bytes{${a}} 3221225472`,
      `gov_container_memory_usage_bytes{${b}} 3221225472`,
      `gov_container_cpu_seconds_total{${a}} 1.5`,
      `gov_container_cpu_seconds_total{${b}} 1.5`,
      `gov_container_idle_seconds{${a}} 90`,
      `gov_container_paused{${a}} 0`,
      `gov_container_paused{${b}} 1`,
    ]);
    listing = { ...listing, containers: [container('a', 'web', 'running', 120_000)] };
    expect(samples(await body(metrics), 'gov_container_idle_seconds', 'gov_container_paused')).toEqual([`gov_container_idle_seconds{${a}} 120`, `gov_container_paused{${a}} 0`]);
    listing = { available: false, error: 'connect ENOENT /var/run/docker.sock', sampledAt: '2026-01-28T10:01:00.000Z', containers: [] };
    expect(samples(await body(metrics), ...names)).toEqual(['gov_docker_up 0']);
    // Each metric reads the (cached) listing: the daemon answers repeated reads from its last one.
    expect(listings).toBe(3 * 7);
  });

  it('lists each pod of the node with its namespace, name, uid and QoS; one without a name keeps its uid', async () => {
    const pod = (uid: string, namespace: string | null, name: string | null, idleForMs: number | null): PodInfo => ({
      uid,
      namespace,
      name,
      qos: 'burstable',
      cgroup: { version: 1, path: `kubepods/burstable/pod${uid}`, memoryDir: '/m', cpuDir: '/c' },
      containers: [],
      memory: { usage: 2 * GIB, workingSet: GIB, cache: GIB, anon: GIB, shmem: 0, limit: null },
      cpu: { usageNs: 4_000_000_000, percent: 0 },
      idleForMs,
    });
    let listing: PodsResponse = { kubernetes: true, driver: 'cgroupfs', cgroupVersion: 1, error: null, sampledAt: '2026-01-28T10:00:00.000Z', pods: [pod('u1', 'shop', 'web-0', 600_000), pod('u2', null, null, null)] };
    const metrics = createMetrics({ version: '1.2.3', processMetrics: false, readers: { pods: async () => listing } });
    const names = ['gov_pod_memory_cache_bytes', 'gov_pod_cpu_seconds_total', 'gov_pod_idle_seconds'];
    expect(samples(await body(metrics), ...names)).toEqual([
      'gov_pod_memory_cache_bytes{namespace="shop",pod="web-0",uid="u1",qos="burstable"} 1073741824',
      'gov_pod_memory_cache_bytes{namespace="",pod="",uid="u2",qos="burstable"} 1073741824',
      'gov_pod_cpu_seconds_total{namespace="shop",pod="web-0",uid="u1",qos="burstable"} 4',
      'gov_pod_cpu_seconds_total{namespace="",pod="",uid="u2",qos="burstable"} 4',
      'gov_pod_idle_seconds{namespace="shop",pod="web-0",uid="u1",qos="burstable"} 600',
    ]);
    listing = { ...listing, kubernetes: false, pods: [] };
    expect(samples(await body(metrics), ...names)).toEqual([]);
  });

  it('includes the process metrics under their stock names by default, and nothing under govd_', async () => {
    const text = await body(createMetrics({ version: '1.2.3' }));
    expect(samples(text, 'process_resident_memory_bytes')).toHaveLength(1);
    expect(text.split('\n').filter((line) => line.includes('govd_'))).toEqual([]);
  });
});
