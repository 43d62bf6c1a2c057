import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parsePressure, readWindowsHostMemory, type LinuxMemory, type Snapshot } from '@gov/meminfo';
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
export async function readGuestSnapshot(cgroup: WorkloadCgroup, vmSize: number, now: Date, options: { host?: boolean } = {}): Promise<Snapshot> {
  const memory = await cgroup.read();
  const cpu = { busy: await cgroup.cpuNanoseconds(), total: Number(process.hrtime.bigint()) * availableParallelism() };
  let pressure: Snapshot['pressure'] = null;
  const degraded: Snapshot['degraded'] = [];
  try {
    pressure = parsePressure(await readFile('/proc/pressure/memory', 'utf8'));
  } catch (error) {
    degraded.push({ source: 'pressure', code: 'GOV_BENCH_PSI', message: (error as Error).message });
  }
  let host: Snapshot['host'] = null;
  if (options.host) {
    // The host scenario: Windows memory through `powershell.exe` (the stand-in on PATH), as in a WSL guest.
    try {
      host = await readWindowsHostMemory();
    } catch (error) {
      degraded.push({ source: 'host', code: (error as { code?: string }).code ?? 'GOV_BENCH_HOST', message: (error as Error).message });
    }
  }
  return {
    at: now.toISOString(),
    environment: options.host ? 'wsl-guest' : 'linux',
    linux: guestLinuxMemory(memory, vmSize),
    pressure,
    vmstat: { workingsetRefaultFile: memory.refaultFile, workingsetRefaultAnon: memory.refaultAnon, pgmajfault: memory.pgmajfault, oomKill: memory.oomKills, pgsteal: null, pgscan: null },
    cpu,
    host,
    degraded,
  };
}

const kb = (bytes: number) => `${String(Math.floor(bytes / 1024)).padStart(8)} kB`;

/**
 * The guest's `/proc/meminfo` as a WSL guest's kernel would print it, for govd in the host
 * scenario: parsing it with `@gov/meminfo` gives back `guestLinuxMemory` (tested).
 */
export function renderGuestMeminfo(memory: GuestMemory, vmSize: number): string {
  const linux = guestLinuxMemory(memory, vmSize);
  const lines: [string, number][] = [
    ['MemTotal', linux.total],
    ['MemFree', linux.free],
    ['MemAvailable', linux.available],
    ['Buffers', 0],
    ['Cached', memory.cache],
    ['SwapCached', 0],
    ['Active(file)', memory.activeFile],
    ['Inactive(file)', memory.inactiveFile],
    ['SwapTotal', 0],
    ['SwapFree', 0],
    ['AnonPages', memory.rss],
    ['Shmem', memory.shmem],
    ['SReclaimable', 0],
  ];
  return `${lines.map(([name, bytes]) => `${`${name}:`.padEnd(16)}${kb(bytes)}`).join('\n')}\n`;
}

/** The guest's `/proc/vmstat`: the counters gov reads, from the guest cgroup. */
export function renderGuestVmstat(memory: GuestMemory): string {
  return `workingset_refault_anon ${memory.refaultAnon}\nworkingset_refault_file ${memory.refaultFile}\npgmajfault ${memory.pgmajfault}\noom_kill ${memory.oomKills}\n`;
}

/** The guest's `/proc/stat` all-CPU line: its CPU time (USER_HZ ticks) against wall time × CPUs. */
export function renderGuestStat(busyTicks: number, totalTicks: number): string {
  return `cpu  ${busyTicks} 0 0 ${Math.max(0, totalTicks - busyTicks)} 0 0 0 0 0 0\n`;
}
