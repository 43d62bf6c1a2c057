import { withDeadline, type Timers } from '@gov/io';
import { parseMemoryStat, readCgroupMemory, readKernelFileSync, type CgroupMemory, type MeminfoFs } from '@gov/meminfo';
import type { ContainerCgroup } from './cgroup-paths.js';
import { DockerError, noAnswer } from './errors.js';

/** A container's memory in bytes. */
export interface ContainerMemory {
  /** Everything charged to the cgroup (v1 `memory.usage_in_bytes`, v2 `memory.current`). */
  usage: number;
  /** `usage − inactive_file`: the number `docker stats` shows as MEM USAGE. */
  workingSet: number;
  /** Page cache charged to the container (v1 `total_cache`, v2 `file`), shared memory included. */
  cache: number;
  /** Anonymous memory (v1 `total_rss`, v2 `anon`). */
  anon: number;
  /** tmpfs and shared memory (part of `cache`, but not reclaimable without swap). */
  shmem: number;
  /** The container's memory limit; `null` when unlimited. */
  limit: number | null;
}

/** One reading of a container's memory and its cumulative CPU time. */
export interface ContainerUsage {
  memory: ContainerMemory;
  /** CPU time the container has used since it started, in nanoseconds. */
  cpuUsageNs: number;
  /** Where the numbers came from: the container's cgroup files, or the engine's stats API. */
  source: 'cgroup' | 'api';
}

function stat(stats: Record<string, number>, ...keys: string[]): number {
  for (const key of keys) {
    const value = stats[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return 0;
}

/**
 * Derives the container view from raw cgroup memory numbers. cgroup v1 counters are read in
 * their hierarchical `total_*` form where present, so processes in child cgroups count too.
 */
export function toContainerMemory(version: 1 | 2, usage: number, limit: number | null, stats: Record<string, number>): ContainerMemory {
  const v1 = version === 1;
  const inactiveFile = v1 ? stat(stats, 'total_inactive_file', 'inactive_file') : stat(stats, 'inactive_file');
  return {
    usage,
    workingSet: inactiveFile < usage ? usage - inactiveFile : usage,
    cache: v1 ? stat(stats, 'total_cache', 'cache') : stat(stats, 'file'),
    anon: v1 ? stat(stats, 'total_rss', 'rss') : stat(stats, 'anon'),
    shmem: v1 ? stat(stats, 'total_shmem', 'shmem') : stat(stats, 'shmem'),
    limit,
  };
}

/** `memory.stat`-shaped numbers of a cgroup read by `@gov/meminfo`, as a container view. */
export function containerMemoryFromCgroup(memory: CgroupMemory): ContainerMemory {
  return toContainerMemory(memory.version, memory.usage, memory.limit, memory.stat);
}

/**
 * Cumulative CPU time in nanoseconds: v1 `cpuacct.usage` holds nanoseconds, v2 `cpu.stat`
 * holds `usage_usec` among its flat-keyed counters (the same format as `memory.stat`).
 */
export function parseCpuUsageNs(text: string, version: 1 | 2): number {
  if (version === 1) {
    const trimmed = text.trim();
    if (!/^\d+$/.test(trimmed)) throw new DockerError(`cpuacct.usage: expected nanoseconds, got ${JSON.stringify(trimmed.slice(0, 40))}`, { code: 'GOV_DOCKER_API' });
    return Number(trimmed);
  }
  const usec = parseMemoryStat(text)['usage_usec'];
  if (usec === undefined) throw new DockerError('cpu.stat: no usage_usec line', { code: 'GOV_DOCKER_API' });
  return usec * 1000;
}

export interface ReadCgroupUsageOptions {
  fs?: MeminfoFs;
  timeoutMs?: number;
  timers?: Timers;
}

/**
 * cgroup and proc files are made by the kernel from memory on each read and never wait on a
 * disk, so they are read synchronously: a threadpool round trip per file (open, stat, read,
 * close) costs ten times more than the read itself, which is what made sampling slow.
 */
export const nodeFs: MeminfoFs = {
  // Never blocks on a FIFO put in a cgroup file's place, and never reads more than a kernel file holds.
  readFile: async (path) => readKernelFileSync(path),
};

/** Reads a container's memory and CPU from its cgroup files; throws when they are not readable. */
export async function readCgroupUsage(cgroup: ContainerCgroup, options: ReadCgroupUsageOptions = {}): Promise<ContainerUsage> {
  const fs = options.fs ?? nodeFs;
  const cpuFile = cgroup.version === 1 ? `${cgroup.cpuDir}/cpuacct.usage` : `${cgroup.cpuDir}/cpu.stat`;
  const timeoutMs = options.timeoutMs ?? 1000;
  const [memory, cpuText] = await Promise.all([
    readCgroupMemory(cgroup.memoryDir, { fs, timeoutMs, timers: options.timers }),
    withDeadline(timeoutMs, (signal) => fs.readFile(cpuFile, { signal }), { timers: options.timers, timeoutError: () => noAnswer(`reading ${cpuFile}`, timeoutMs) }),
  ]);
  return { memory: containerMemoryFromCgroup(memory), cpuUsageNs: parseCpuUsageNs(cpuText, cgroup.version), source: 'cgroup' };
}

interface StatsJson {
  memory_stats?: { usage?: unknown; stats?: Record<string, unknown> };
  cpu_stats?: { cpu_usage?: { total_usage?: unknown } };
}

/**
 * The same reading from the engine's stats API (`GET /containers/{id}/stats?stream=false&one-shot=true`),
 * for engines whose cgroup files are not on this machine. The API reports the host's total
 * memory as the limit of an unlimited container, so the limit comes from the container's
 * configuration instead (`HostConfig.Memory`, 0 = unlimited).
 */
export function usageFromStatsApi(json: unknown, configuredLimit: number | null): ContainerUsage {
  const stats = (json ?? {}) as StatsJson;
  const usage = stats.memory_stats?.usage;
  const cpu = stats.cpu_stats?.cpu_usage?.total_usage;
  if (typeof usage !== 'number' || typeof cpu !== 'number') {
    throw new DockerError('the stats API answered without memory_stats.usage or cpu_stats.cpu_usage.total_usage', { code: 'GOV_DOCKER_API' });
  }
  const raw = stats.memory_stats?.stats ?? {};
  const numbers: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) if (typeof value === 'number') numbers[key] = value;
  // cgroup v1 engines report the hierarchical `total_*` counters; v2 engines do not.
  const version = 'total_cache' in numbers || 'total_rss' in numbers ? 1 : 2;
  return { memory: toContainerMemory(version, usage, configuredLimit, numbers), cpuUsageNs: cpu, source: 'api' };
}
