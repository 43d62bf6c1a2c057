import type { ContainersResponse, PodsResponse } from '@gov/api';
import type { ContainerInfo, PodInfo } from '@gov/docker';
import type { Registry } from 'prom-client';
import { registerCollected, type CollectedSpec } from './collected-metrics.js';

/** Listings the metrics read at scrape time (the daemon answers them from its last listing when recent). */
export interface WorkloadReaders {
  containers?: () => Promise<ContainersResponse>;
  pods?: () => Promise<PodsResponse>;
}

/** A metric with one series per listed item. */
interface ItemSeries<T> {
  name: string;
  help: string;
  kind: 'gauge' | 'counter';
  /** The item's value; `null` leaves its series out. */
  value: (item: T) => number | null;
}

/** Per-item series of a listing, labelled by `labels`. */
function perItem<T>(labels: (item: T) => Record<string, string>, spec: ItemSeries<T>, labelNames: readonly string[]): CollectedSpec<readonly T[]> {
  return {
    name: spec.name,
    help: spec.help,
    kind: spec.kind,
    labelNames,
    samples: (items) => items.flatMap((item) => {
      const value = spec.value(item);
      return value === null ? [] : [{ labels: labels(item), value }];
    }),
  };
}

const CONTAINER_SERIES: readonly ItemSeries<ContainerInfo>[] = [
  { name: 'gov_container_memory_usage_bytes', help: 'Memory charged to the container\'s cgroup (page cache included)', kind: 'gauge', value: (c) => c.memory?.usage ?? null },
  { name: 'gov_container_memory_working_set_bytes', help: 'Container memory usage minus inactive page cache (what docker stats shows)', kind: 'gauge', value: (c) => c.memory?.workingSet ?? null },
  { name: 'gov_container_memory_cache_bytes', help: 'Page cache charged to the container (shared memory included)', kind: 'gauge', value: (c) => c.memory?.cache ?? null },
  { name: 'gov_container_cpu_seconds_total', help: 'CPU time the container has used since it started', kind: 'counter', value: (c) => (c.cpu ? c.cpu.usageNs / 1e9 : null) },
  { name: 'gov_container_idle_seconds', help: 'How long the container has stayed under docker.idle_cpu_percent', kind: 'gauge', value: (c) => (c.idleForMs === null ? null : c.idleForMs / 1000) },
  { name: 'gov_container_paused', help: '1 when the container is paused, 0 when it runs', kind: 'gauge', value: (c) => (c.state === 'paused' ? 1 : 0) },
];

const POD_SERIES: readonly ItemSeries<PodInfo>[] = [
  { name: 'gov_pod_memory_usage_bytes', help: 'Memory charged to the pod\'s cgroup (page cache included)', kind: 'gauge', value: (p) => p.memory?.usage ?? null },
  { name: 'gov_pod_memory_working_set_bytes', help: 'Pod memory usage minus inactive page cache (what the kubelet evicts on)', kind: 'gauge', value: (p) => p.memory?.workingSet ?? null },
  { name: 'gov_pod_memory_cache_bytes', help: 'Page cache charged to the pod (shared memory included)', kind: 'gauge', value: (p) => p.memory?.cache ?? null },
  { name: 'gov_pod_cpu_seconds_total', help: 'CPU time the pod\'s cgroup has used', kind: 'counter', value: (p) => (p.cpu ? p.cpu.usageNs / 1e9 : null) },
  { name: 'gov_pod_idle_seconds', help: 'How long the pod has stayed under kubernetes.idle_cpu_percent', kind: 'gauge', value: (p) => (p.idleForMs === null ? null : p.idleForMs / 1000) },
];

/**
 * Per-container and per-pod series from the daemon's listings: only running and paused
 * containers, and the pods whose cgroups exist, are listed, so the series are bounded by what
 * runs and vanish with it.
 */
export function registerWorkloadMetrics(registry: Registry, readers: WorkloadReaders): void {
  const { containers, pods } = readers;
  if (pods) {
    // A pod the kubelet's log directory does not name keeps its uid, with empty namespace and pod labels.
    const podLabels = (p: PodInfo) => ({ namespace: p.namespace ?? '', pod: p.name ?? '', uid: p.uid, qos: p.qos });
    registerCollected(registry, async () => (await pods()).pods, POD_SERIES.map((spec) => perItem(podLabels, spec, ['namespace', 'pod', 'uid', 'qos'])));
  }
  if (!containers) return;
  registerCollected(registry, containers, [{ name: 'gov_docker_up', help: 'Whether the last container listing reached a Docker engine (1) or not (0)', kind: 'gauge', samples: (listing) => [{ value: listing.available ? 1 : 0 }] }]);
  const containerLabels = (c: ContainerInfo) => ({ container: c.name, id: c.id });
  registerCollected(registry, async () => (await containers()).containers, CONTAINER_SERIES.map((spec) => perItem(containerLabels, spec, ['container', 'id'])));
}
