import { MIN_TARGET_BYTES } from '@gov/reclaimer';
import { reclaimCgroupCache, type CacheReclaim, type CgroupReclaimPort } from './cgroup-cache.js';
import { matchesGlob } from './guards.js';
import { createPodSensor, type PodInfo, type PodListing, type PodSensor, type PodSensorOptions } from './pod-sensor.js';
import type { ContainerMemory } from './usage.js';

/** Why a pod's page cache is left alone; the first guard that applies is reported. */
export type PodGuard = 'unknown-identity' | 'excluded' | 'not-idle' | 'no-cache' | 'max-pods';

export interface PodGuardOptions {
  /** How long a pod must have been idle. */
  idleForMs: number;
  /**
   * Pods never touched: `namespace` (every pod in it) or `namespace/pod`, each part a glob
   * (`*`, `?`), e.g. `kube-system`, `monitoring/prometheus-*`.
   */
  exclude: readonly string[];
  /** Reclaim at most this many, the most page cache first. */
  maxPods: number;
}

export interface PodPlan {
  reclaim: PodInfo[];
  skipped: { pod: PodInfo; guard: PodGuard; reason: string }[];
}

/** `namespace/name` of a pod, or its uid when the kubelet's log directory does not name it. */
export function podLabel(pod: Pick<PodInfo, 'namespace' | 'name' | 'uid'>): string {
  return pod.namespace === null || pod.name === null ? `pod ${pod.uid}` : `${pod.namespace}/${pod.name}`;
}

/** Whether an exclude entry (`namespace` or `namespace/pod`, globs) covers the pod. */
export function isExcluded(exclude: readonly string[], namespace: string, name: string): boolean {
  return exclude.some((entry) => {
    const slash = entry.indexOf('/');
    return slash === -1 ? matchesGlob(entry, namespace) : matchesGlob(entry.slice(0, slash), namespace) && matchesGlob(entry.slice(slash + 1), name);
  });
}

const cacheOf = (memory: ContainerMemory | null) => (memory === null ? 0 : Math.max(0, memory.cache - memory.shmem));

/**
 * Picks the idle pods whose page cache may be reclaimed. A pod the kubelet's log directory does
 * not name is never touched (an exclude entry could not be checked against it).
 */
export function planPodReclaims(pods: readonly PodInfo[], isIdle: (pod: PodInfo) => boolean, options: PodGuardOptions): PodPlan {
  const skipped: PodPlan['skipped'] = [];
  const candidates: PodInfo[] = [];
  for (const pod of pods) {
    if (pod.namespace === null || pod.name === null) skipped.push({ pod, guard: 'unknown-identity', reason: 'no pod log directory names it, so the exclude list cannot be checked' });
    else if (isExcluded(options.exclude, pod.namespace, pod.name)) skipped.push({ pod, guard: 'excluded', reason: `excluded by kubernetes.exclude` });
    else if (pod.memory === null || !isIdle(pod)) skipped.push({ pod, guard: 'not-idle', reason: pod.memory === null ? 'its cgroup could not be read' : `not idle for ${Math.round(options.idleForMs / 60_000)} min` });
    else if (cacheOf(pod.memory) < MIN_TARGET_BYTES) skipped.push({ pod, guard: 'no-cache', reason: 'it holds less than 1 MiB of page cache' });
    else candidates.push(pod);
  }
  candidates.sort((a, b) => cacheOf(b.memory) - cacheOf(a.memory));
  for (const pod of candidates.slice(options.maxPods)) skipped.push({ pod, guard: 'max-pods', reason: `at most ${options.maxPods} per tick` });
  return { reclaim: candidates.slice(0, options.maxPods), skipped };
}

/** What happened to one pod in `reclaimIdle`. */
export interface PodReclaimDecision {
  uid: string;
  /** `namespace/name`, or `pod <uid>`. */
  pod: string;
  action: 'reclaimed' | 'would-reclaim' | 'skipped' | 'failed';
  guard: PodGuard | null;
  reason: string;
  memoryBefore: ContainerMemory | null;
  memoryAfter: ContainerMemory | null;
  /** Bytes that left the pod's cgroup: usage before − usage after the reclaim. */
  freedBytes: number;
  reclaim: CacheReclaim | null;
}

export interface PodReclaimOptions {
  /** Default 30 minutes. */
  idleForMs?: number;
  /** Decide and report, reclaim nothing. */
  dryRun?: boolean;
  exclude?: readonly string[];
  /** Default 3. */
  maxPodsPerTick?: number;
}

export interface PodReclaimResult {
  dryRun: boolean;
  idleForMs: number;
  /** Pods whose page cache was reclaimed now (`namespace/name`). */
  reclaimed: string[];
  /** Pods that would be (dry run). */
  wouldReclaim: string[];
  freedBytes: number;
  /** Every pod considered, in listing order. */
  pods: PodReclaimDecision[];
}

/** Pod sensing and the reclaim of idle pods' page cache. Pods are never paused: the kubelet owns them. */
export interface PodClient extends Omit<PodSensor, 'memoryOf'> {
  reclaimIdle(options?: PodReclaimOptions): Promise<PodReclaimResult>;
}

export interface PodClientOptions extends PodSensorOptions {
  /** Reclaims a pod's memory cgroup: `createReclaimer()` of `@gov/reclaimer`, its dry-run executor, or a fake. */
  reclaimer: CgroupReclaimPort;
}

/**
 * Lists the pods of this node and reclaims the page cache of the idle ones that pass every
 * guard (`planPodReclaims`), each through `cgroup_reclaim` on its pod cgroup.
 */
export function createPodClient(options: PodClientOptions): PodClient {
  const { reclaimer } = options;
  const sensor = createPodSensor(options);

  async function reclaimIdle(reclaimOptions: PodReclaimOptions = {}): Promise<PodReclaimResult> {
    const idleForMs = reclaimOptions.idleForMs ?? 30 * 60_000;
    const dryRun = reclaimOptions.dryRun ?? false;
    const listing: PodListing = await sensor.listPods();
    const plan = planPodReclaims(listing.pods, (pod) => sensor.sampler.isIdle(pod.uid, idleForMs), { idleForMs, exclude: reclaimOptions.exclude ?? [], maxPods: reclaimOptions.maxPodsPerTick ?? 3 });
    const decisions = new Map<string, PodReclaimDecision>();
    const decision = (pod: PodInfo, action: PodReclaimDecision['action'], guard: PodGuard | null, reason: string): PodReclaimDecision => ({ uid: pod.uid, pod: podLabel(pod), action, guard, reason, memoryBefore: pod.memory, memoryAfter: null, freedBytes: 0, reclaim: null });
    for (const { pod, guard, reason } of plan.skipped) decisions.set(pod.uid, decision(pod, 'skipped', guard, reason));
    for (const pod of plan.reclaim) {
      const chosen = decision(pod, dryRun ? 'would-reclaim' : 'reclaimed', null, `idle for ${Math.round((pod.idleForMs ?? 0) / 60_000)} min`);
      decisions.set(pod.uid, chosen);
      if (dryRun) continue;
      const before = (await sensor.memoryOf(pod)) ?? pod.memory;
      chosen.memoryBefore = before;
      chosen.reclaim = await reclaimCgroupCache(reclaimer, pod.cgroup.path, before, "the pod's");
      if (chosen.reclaim.status !== 'ok') Object.assign(chosen, { action: chosen.reclaim.status, reason: chosen.reclaim.detail });
      chosen.memoryAfter = await sensor.memoryOf(pod);
      chosen.freedBytes = before !== null && chosen.memoryAfter !== null ? Math.max(0, before.usage - chosen.memoryAfter.usage) : 0;
    }
    const ordered = listing.pods.map((pod) => decisions.get(pod.uid) as PodReclaimDecision);
    const reclaimed = ordered.filter((entry) => entry.action === 'reclaimed');
    return {
      dryRun,
      idleForMs,
      reclaimed: reclaimed.map((entry) => entry.pod),
      wouldReclaim: ordered.filter((entry) => entry.action === 'would-reclaim').map((entry) => entry.pod),
      freedBytes: reclaimed.reduce((sum, entry) => sum + entry.freedBytes, 0),
      pods: ordered,
    };
  }

  return { listPods: sensor.listPods, sampler: sensor.sampler, reclaimIdle };
}
