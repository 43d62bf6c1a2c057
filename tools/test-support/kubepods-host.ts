import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeCgroupTree } from './cgroup-lab.js';

/** Where this host mounts the cgroup v1 hierarchies the pod sensor reads. */
const V1_ROOT = '/sys/fs/cgroup';
/** The v1 hierarchies a kubelet puts a pod in (memory for reclaim, cpuacct for idleness). */
const HIERARCHIES = ['memory', 'cpuacct'] as const;

export const MiB = 1024 ** 2;

/**
 * Fails unless this host has the cgroup v1 memory and cpuacct hierarchies and runs as root:
 * the tests build a kubelet's pod tree in them with real processes.
 */
export function assertCgroupV1Root(): void {
  if (process.getuid?.() !== 0) throw new Error('these tests create cgroups: run them as root');
  for (const hierarchy of HIERARCHIES) {
    if (!existsSync(join(V1_ROOT, hierarchy, 'cgroup.procs'))) throw new Error(`${V1_ROOT}/${hierarchy} is not a cgroup v1 hierarchy on this host`);
  }
  if (existsSync(join(V1_ROOT, 'memory', 'kubepods')) || existsSync(join(V1_ROOT, 'memory', 'kubepods.slice'))) {
    throw new Error('a kubepods cgroup already exists on this host: a real kubelet, or a test that did not clean up (remove it first)');
  }
}

const TMPFS_MAGIC = 0x01021994;

/** A directory on a disk: tmpfs data is shmem, which no reclaim can drop without swap. */
function diskDir(): string {
  return statfsSync(tmpdir()).type === TMPFS_MAGIC ? process.cwd() : tmpdir();
}

export type Layout = 'cgroupfs' | 'systemd';
export type Qos = 'guaranteed' | 'burstable' | 'besteffort';

/** A pod as the kubelet lays it out: its cgroup path relative to the hierarchy root, by driver. */
export function podCgroupPath(layout: Layout, qos: Qos, uid: string): string {
  if (layout === 'cgroupfs') return qos === 'guaranteed' ? `kubepods/pod${uid}` : `kubepods/${qos}/pod${uid}`;
  const escaped = uid.replaceAll('-', '_');
  return qos === 'guaranteed' ? `kubepods.slice/kubepods-pod${escaped}.slice` : `kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${escaped}.slice`;
}

function containerDirName(layout: Layout, id: string): string {
  return layout === 'cgroupfs' ? id : `cri-containerd-${id}.scope`;
}

export interface LabPod {
  uid: string;
  namespace: string;
  name: string;
  /** Relative to the hierarchy root, as `@gov/reclaimer` takes it. */
  path: string;
  containerId: string;
  /** The memory cgroup directory of the pod. */
  memoryDir: string;
  /** Runs `sh -c script` as the pod's container process (in both hierarchies) and waits for it. */
  run(script: string): Promise<void>;
  /** Starts a long-running process in the container: `sleep` (idle) or a busy loop. */
  start(kind: 'idle' | 'busy'): ChildProcess;
  /** Writes a file of `bytes` from inside the pod and syncs it: clean page cache charged to the pod. */
  fillPageCache(bytes: number): Promise<void>;
  /** Page cache the pod's cgroup holds (`total_cache` of memory.stat). */
  cacheBytes(): number;
}

/**
 * A kubelet's pod tree on this host's cgroup v1 hierarchies, with the given driver's naming,
 * and its `/var/log/pods`-style directory (in a temp dir) naming each pod.
 */
export async function createKubepodsLab(layout: Layout) {
  const podLogsDir = await mkdtemp(join(tmpdir(), 'gov-pod-logs-'));
  const dataDir = await mkdtemp(join(diskDir(), 'gov-pod-cache-'));
  const children = new Set<ChildProcess>();
  const root = layout === 'cgroupfs' ? 'kubepods' : 'kubepods.slice';

  function spawnIn(dirs: string[], script: string): ChildProcess {
    // The shell moves itself into the cgroups, then runs the script: nothing runs outside.
    const join_ = dirs.map((dir) => `echo $$ > "${dir}/cgroup.procs"`).join(' && ');
    const child = spawn('sh', ['-c', `${join_} && exec sh -c "$0"`, script], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  }

  return {
    podLogsDir,
    root,
    async addPod(qos: Qos, namespace: string, name: string): Promise<LabPod> {
      const uid = randomUUID();
      const containerId = randomBytes(32).toString('hex');
      const path = podCgroupPath(layout, qos, uid);
      const dirs = HIERARCHIES.map((hierarchy) => join(V1_ROOT, hierarchy, path, containerDirName(layout, containerId)));
      for (const dir of dirs) await mkdir(dir, { recursive: true });
      await mkdir(join(podLogsDir, `${namespace}_${name}_${uid}`));
      const memoryDir = join(V1_ROOT, 'memory', path);
      let serial = 0;
      const pod: LabPod = {
        uid,
        namespace,
        name,
        path,
        containerId,
        memoryDir,
        run(script) {
          const child = spawnIn(dirs, script);
          return new Promise((resolve, reject) => {
            child.once('error', reject);
            child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sh -c ${JSON.stringify(script)} in ${path} exited ${code ?? signal}`))));
          });
        },
        start: (kind) => spawnIn(dirs, kind === 'idle' ? 'exec sleep 3600' : 'while :; do :; done'),
        async fillPageCache(bytes) {
          serial += 1;
          const file = join(dataDir, `${uid}-${serial}.bin`);
          await pod.run(`dd if=/dev/zero of="${file}" bs=1M count=${Math.ceil(bytes / MiB)} 2>/dev/null && sync`);
        },
        cacheBytes() {
          const line = readFileSync(join(memoryDir, 'memory.stat'), 'utf8')
            .split('\n')
            .find((candidate) => candidate.startsWith('total_cache '));
          return Number(line?.split(' ')[1] ?? Number.NaN);
        },
      };
      return pod;
    },
    /** Kills every process started, removes the cgroup trees, the log dirs and the cached files. */
    async cleanup(): Promise<void> {
      const exited = [...children].map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve))));
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(exited);
      for (const hierarchy of HIERARCHIES) await removeCgroupTree(join(V1_ROOT, hierarchy, root), new Set());
      await rm(podLogsDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type KubepodsLab = Awaited<ReturnType<typeof createKubepodsLab>>;
