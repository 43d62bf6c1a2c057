import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMemoryStat } from '@gov/meminfo';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';
const CPUACCT_ROOT = '/sys/fs/cgroup/cpuacct';
const UNLIMITED = '-1';

/** The workload's memory as its v1 memory cgroup charges it. */
export interface GuestMemory {
  /** Page cache charged to the workload (`total_cache`). */
  cache: number;
  rss: number;
  shmem: number;
  activeFile: number;
  inactiveFile: number;
  refaultFile: number;
  refaultAnon: number;
  pgmajfault: number;
  oomKills: number;
}

/**
 * The workload's own v1 memory (and cpuacct) cgroup: the stand-in for the WSL2 guest. Every
 * page the reader processes fault in is charged here, so reclaiming it touches only the
 * workload's cache and never other tenants' on this shared machine.
 */
export interface WorkloadCgroup {
  readonly name: string;
  readonly memoryDir: string;
  readonly cpuDir: string;
  read(): Promise<GuestMemory>;
  /** Cumulative CPU time of the workload, in nanoseconds. */
  cpuNanoseconds(): Promise<number>;
  /** Cumulative user CPU time of the workload, in USER_HZ ticks (`cpuacct.stat`): what WSL's idle check reads. */
  userTicks(): Promise<number>;
  /** Cumulative user + system CPU time of the workload, in USER_HZ ticks. */
  cpuTicks(): Promise<number>;
  /** `memory.usage_in_bytes`: everything charged (v2's `memory.current`), kernel memory included. */
  usage(): Promise<number>;
  /**
   * Reclaims about `bytes` from the cgroup: v1 has no `memory.reclaim`, so the limit is lowered
   * by that much (the kernel reclaims synchronously to meet it) and then lifted again.
   */
  reclaimBytes(bytes: number): Promise<number>;
  /** `memory.force_empty`: reclaims everything the cgroup can give back. */
  forceEmpty(): Promise<number>;
  remove(): Promise<void>;
}

async function usage(memoryDir: string): Promise<number> {
  return Number((await readFile(join(memoryDir, 'memory.usage_in_bytes'), 'utf8')).trim());
}

/** Creates (or reuses) `/sys/fs/cgroup/{memory,cpuacct}/<name>`. Needs root and a v1 memory controller. */
export async function createWorkloadCgroup(name: string): Promise<WorkloadCgroup> {
  const memoryDir = join(MEMORY_ROOT, name);
  const cpuDir = join(CPUACCT_ROOT, name);
  await mkdir(memoryDir, { recursive: true });
  await mkdir(cpuDir, { recursive: true });
  await writeFile(join(memoryDir, 'memory.limit_in_bytes'), UNLIMITED);
  return {
    name,
    memoryDir,
    cpuDir,
    async read() {
      const stat = parseMemoryStat(await readFile(join(memoryDir, 'memory.stat'), 'utf8'));
      const oom = /^oom_kill (\d+)$/m.exec(await readFile(join(memoryDir, 'memory.oom_control'), 'utf8'));
      const value = (key: string) => stat[`total_${key}`] ?? stat[key] ?? 0;
      return {
        cache: value('cache'),
        rss: value('rss'),
        shmem: value('shmem'),
        activeFile: value('active_file'),
        inactiveFile: value('inactive_file'),
        refaultFile: value('workingset_refault_file'),
        refaultAnon: value('workingset_refault_anon'),
        pgmajfault: value('pgmajfault'),
        oomKills: oom ? Number(oom[1]) : 0,
      };
    },
    async cpuNanoseconds() {
      return Number((await readFile(join(cpuDir, 'cpuacct.usage'), 'utf8')).trim());
    },
    async userTicks() {
      const match = /^user (\d+)$/m.exec(await readFile(join(cpuDir, 'cpuacct.stat'), 'utf8'));
      return match ? Number(match[1]) : 0;
    },
    usage: () => usage(memoryDir),
    async cpuTicks() {
      const text = await readFile(join(cpuDir, 'cpuacct.stat'), 'utf8');
      return Number(/^user (\d+)$/m.exec(text)?.[1] ?? 0) + Number(/^system (\d+)$/m.exec(text)?.[1] ?? 0);
    },
    async reclaimBytes(bytes) {
      const before = await usage(memoryDir);
      const limit = Math.max(0, before - Math.floor(bytes));
      try {
        await writeFile(join(memoryDir, 'memory.limit_in_bytes'), String(limit));
      } catch (error) {
        // EBUSY: the kernel could not get under the limit (pages in use); keep what it freed.
        if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
      } finally {
        await writeFile(join(memoryDir, 'memory.limit_in_bytes'), UNLIMITED);
      }
      return Math.max(0, before - (await usage(memoryDir)));
    },
    async forceEmpty() {
      const before = await usage(memoryDir);
      await writeFile(join(memoryDir, 'memory.force_empty'), '0');
      return Math.max(0, before - (await usage(memoryDir)));
    },
    async remove() {
      await writeFile(join(memoryDir, 'memory.limit_in_bytes'), UNLIMITED).catch(() => undefined);
      for (const dir of [memoryDir, cpuDir]) {
        try {
          await rmdir(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    },
  };
}
