import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parsePressure, type LinuxMemory, type Snapshot } from '@gov/meminfo';
import type { GuestMemory, WorkloadCgroup } from './cgroup.js';

/**
 * The workload cgroup seen as a guest of `vmSize` bytes, in the shape of `/proc/meminfo` as
 * `@gov/meminfo` derives it: what it has not charged is free; its page cache (less shmem) is
 * reclaimable. Pure, so the mapping is tested.
 */
export function guestLinuxMemory(memory: GuestMemory, vmSize: number): LinuxMemory {
  const free = Math.max(0, vmSize - memory.cache - memory.rss);
  const reclaimable = Math.max(0, memory.cache - memory.shmem);
  const available = Math.min(vmSize, free + reclaimable);
  return {
    total: vmSize,
    used: vmSize - available,
    free,
    shared: memory.shmem,
    buffCache: memory.cache,
    available,
    swapTotal: 0,
    swapUsed: 0,
    swapFree: 0,
    buffers: 0,
    cached: memory.cache,
    sReclaimable: 0,
    shmem: memory.shmem,
    reclaimable,
    actualUsage: vmSize - free - reclaimable,
    activeFile: memory.activeFile,
    inactiveFile: memory.inactiveFile,
  };
}

/**
 * A governor snapshot of the guest: its cgroup memory and counters, its CPU time (the cgroup's
 * `cpuacct.usage` against wall time × CPUs, as `/proc/stat` counts a machine), and the
 * machine's memory PSI.
 */
export async function readGuestSnapshot(cgroup: WorkloadCgroup, vmSize: number, now: Date): Promise<Snapshot> {
  const memory = await cgroup.read();
  const cpu = { busy: await cgroup.cpuNanoseconds(), total: Number(process.hrtime.bigint()) * availableParallelism() };
  let pressure: Snapshot['pressure'] = null;
  const degraded: Snapshot['degraded'] = [];
  try {
    pressure = parsePressure(await readFile('/proc/pressure/memory', 'utf8'));
  } catch (error) {
    degraded.push({ source: 'pressure', code: 'GOV_BENCH_PSI', message: (error as Error).message });
  }
  return {
    at: now.toISOString(),
    environment: 'linux',
    linux: guestLinuxMemory(memory, vmSize),
    pressure,
    vmstat: { workingsetRefaultFile: memory.refaultFile, workingsetRefaultAnon: memory.refaultAnon, pgmajfault: memory.pgmajfault, oomKill: memory.oomKills, pgsteal: null, pgscan: null },
    cpu,
    host: null,
    degraded,
  };
}
