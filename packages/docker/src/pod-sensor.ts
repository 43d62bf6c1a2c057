import { readdir } from 'node:fs/promises';
import type { Timers } from '@gov/io';
import type { MeminfoFs } from '@gov/meminfo';
import { locateContainerCgroup, parseCgroupMounts, type CgroupMount, type ContainerCgroup } from './cgroup-paths.js';
import { errorSummary } from './error-summary.js';
import { createIdleSampler, type IdleSampler } from './idle-sampler.js';
import { KUBEPODS_ROOT, kubepodsDriver, parseContainerEntry, parseKubepodsEntry, parsePodLogDir, type KubeletCgroupDriver, type PodIdentity, type PodQos } from './kubepods.js';
import { nodeFs, readCgroupUsage, type ContainerMemory } from './usage.js';

/** One pod on this node, read from its cgroup: the kubelet's, never the API server's. */
export interface PodInfo {
  uid: string;
  /** From the kubelet's pod log directory; `null` when it has none for this pod. */
  namespace: string | null;
  name: string | null;
  qos: PodQos;
  /** The pod's cgroup (the parent of its containers' cgroups). */
  cgroup: ContainerCgroup;
  /** Ids of the containers in it, the sandbox ("pause") container included. */
  containers: string[];
  /** `null` when its cgroup files could not be read (see `error`). */
  memory: ContainerMemory | null;
  cpu: { usageNs: number; percent: number | null } | null;
  /** How long its CPU has stayed under the idle threshold in this sensor's samples. */
  idleForMs: number | null;
  error?: { code: string; message: string };
}

/** What one listing found: whether this is a Kubernetes node at all, and its pods. */
export interface PodListing {
  /** Whether a kubepods cgroup exists under a memory hierarchy of this machine. */
  kubernetes: boolean;
  driver: KubeletCgroupDriver | null;
  cgroupVersion: 1 | 2 | null;
  /** Sorted by namespace and name (pods of unknown name last, by uid). */
  pods: PodInfo[];
}

/** File reads of the pod sensor: cgroup and mountinfo files, and directory listings. */
export interface PodFs extends MeminfoFs {
  readdir(path: string): Promise<string[]>;
}

export interface PodSensorOptions {
  fs?: PodFs;
  /** Default `/proc`. */
  procRoot?: string;
  /** Where the kubelet keeps one log directory per pod, named `<namespace>_<name>_<uid>`; default `/var/log/pods`. */
  podLogsDir?: string;
  /** CPU use (percent of one core) under which a pod counts as idle; default 1. */
  idleCpuPercent?: number;
  now?: () => number;
  /** Deadlines of file reads. */
  timers?: Timers;
}

/** Reads the pods of a Kubernetes node: memory and CPU from their cgroups, and how long each has been idle. */
export interface PodSensor {
  /** Lists the pods and records a CPU sample of each. */
  listPods(): Promise<PodListing>;
  /** The pod's memory now (no CPU sample is recorded); `null` when its files cannot be read. */
  memoryOf(pod: PodInfo): Promise<ContainerMemory | null>;
  readonly sampler: IdleSampler;
}

const defaultPodFs: PodFs = { readFile: nodeFs.readFile, readdir: (path) => readdir(path) };

interface Hierarchy {
  version: 1 | 2;
  mountPoint: string;
  driver: KubeletCgroupDriver;
  mounts: CgroupMount[];
}

interface PodDir {
  uid: string;
  qos: PodQos;
  path: string;
}

const byIdentity = (a: PodInfo, b: PodInfo) => {
  if ((a.namespace === null) !== (b.namespace === null)) return a.namespace === null ? 1 : -1;
  return `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`) || a.uid.localeCompare(b.uid);
};

/**
 * Pod sensing on a Kubernetes node, from the kubelet's cgroup tree (either driver, cgroup v1 or
 * v2) and its pod log directories — no API server, no container runtime socket. The memory
 * hierarchy holding `kubepods` is found from the mount table; where the node has none (not a
 * Kubernetes node, or the host's cgroup tree is not mounted here) a listing says so.
 */
export function createPodSensor(options: PodSensorOptions = {}): PodSensor {
  const fs = options.fs ?? defaultPodFs;
  const procRoot = options.procRoot ?? '/proc';
  const podLogsDir = options.podLogsDir ?? '/var/log/pods';
  const now = options.now ?? Date.now;
  const timers = options.timers;
  const sampler = createIdleSampler({ idleCpuPercent: options.idleCpuPercent ?? 1 });
  let found: Hierarchy | null = null;

  const list = (path: string) => fs.readdir(path).catch(() => [] as string[]);

  /** The memory hierarchy with a kubepods cgroup; looked for again on each listing until found. */
  async function hierarchy(): Promise<Hierarchy | null> {
    if (found) return found;
    const text = await fs.readFile(`${procRoot}/self/mountinfo`, { signal: AbortSignal.timeout(1000) }).catch(() => '');
    const mounts = parseCgroupMounts(text);
    // A hybrid host keeps the memory controller on v1, whatever its unified mount holds.
    const candidates = [...mounts.filter((mount) => mount.version === 1 && mount.controllers.includes('memory')), ...mounts.filter((mount) => mount.version === 2)];
    for (const mount of candidates) {
      const driver = kubepodsDriver(await list(mount.mountPoint));
      if (driver !== null) return (found = { version: mount.version, mountPoint: mount.mountPoint, driver, mounts });
    }
    return null;
  }

  async function podDirs(where: Hierarchy): Promise<PodDir[]> {
    const root = KUBEPODS_ROOT[where.driver];
    const dirs: PodDir[] = [];
    for (const name of await list(`${where.mountPoint}/${root}`)) {
      const entry = parseKubepodsEntry(name, where.driver);
      if (entry?.kind === 'pod') dirs.push({ uid: entry.uid, qos: 'guaranteed', path: `${root}/${name}` });
      if (entry?.kind !== 'qos') continue;
      for (const child of await list(`${where.mountPoint}/${root}/${name}`)) {
        const pod = parseKubepodsEntry(child, where.driver);
        if (pod?.kind === 'pod') dirs.push({ uid: pod.uid, qos: entry.qos, path: `${root}/${name}/${child}` });
      }
    }
    return dirs;
  }

  async function identities(): Promise<Map<string, PodIdentity>> {
    const known = new Map<string, PodIdentity>();
    for (const entry of await list(podLogsDir)) {
      const identity = parsePodLogDir(entry);
      if (identity) known.set(identity.uid, identity);
    }
    return known;
  }

  async function describe(dir: PodDir, where: Hierarchy, identity: PodIdentity | undefined): Promise<PodInfo | null> {
    const cgroup = locateContainerCgroup(dir.path, where.version, where.mounts);
    if (cgroup === null) return null;
    const base = { uid: dir.uid, namespace: identity?.namespace ?? null, name: identity?.name ?? null, qos: dir.qos, cgroup };
    const containers = (await list(cgroup.memoryDir)).map((name) => parseContainerEntry(name, where.driver)).filter((id): id is string => id !== null);
    try {
      const usage = await readCgroupUsage(cgroup, { fs, ...(timers ? { timers } : {}) });
      // A pod does not restart as a whole (its containers do, inside the same cgroup), so its CPU counter only grows.
      const status = sampler.record({ id: dir.uid, atMs: now(), cpuUsageNs: usage.cpuUsageNs, state: 'running', startedAt: '' });
      return { ...base, containers, memory: usage.memory, cpu: { usageNs: usage.cpuUsageNs, percent: status.cpuPercent }, idleForMs: status.idleForMs };
    } catch (error) {
      return { ...base, containers, memory: null, cpu: null, idleForMs: null, error: errorSummary(error) };
    }
  }

  return {
    sampler,
    async listPods() {
      const where = await hierarchy();
      if (where === null) return { kubernetes: false, driver: null, cgroupVersion: null, pods: [] };
      const [dirs, known] = await Promise.all([podDirs(where), identities()]);
      const pods = (await Promise.all(dirs.map((dir) => describe(dir, where, known.get(dir.uid))))).filter((pod): pod is PodInfo => pod !== null);
      sampler.retain(pods.map((pod) => pod.uid));
      return { kubernetes: true, driver: where.driver, cgroupVersion: where.version, pods: pods.sort(byIdentity) };
    },
    async memoryOf(pod) {
      try {
        return (await readCgroupUsage(pod.cgroup, { fs, ...(timers ? { timers } : {}) })).memory;
      } catch {
        return null;
      }
    },
  };
}
