import type { Environment, HostMemory, LinuxMemory, Snapshot, Vmstat } from '@gov/meminfo';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Linux memory from the four figures the policies use; the rest is derived as `free` would. */
export function linuxMemory(figures: { total: number; free: number; available: number; reclaimable: number }): LinuxMemory {
  const { total, free, available, reclaimable } = figures;
  return {
    total,
    used: total - available,
    free,
    shared: 0,
    buffCache: reclaimable,
    available,
    swapTotal: 0,
    swapUsed: 0,
    swapFree: 0,
    buffers: 0,
    cached: reclaimable,
    sReclaimable: 0,
    shmem: 0,
    reclaimable,
    actualUsage: total - free - reclaimable,
    activeFile: null,
    inactiveFile: null,
  };
}

export function vmstat(counters: Partial<Vmstat> = {}): Vmstat {
  return { workingsetRefaultFile: 0, workingsetRefaultAnon: 0, pgmajfault: 0, oomKill: 0, pgsteal: 0, pgscan: 0, ...counters };
}

export interface SnapshotFigures {
  environment?: Environment;
  at?: string;
  linux?: LinuxMemory | null;
  host?: HostMemory | null;
  /** PSI `some avg10`; `null` for no pressure reading. */
  stall?: number | null;
  vmstat?: Vmstat | null;
  cpu?: Snapshot['cpu'];
  degraded?: Snapshot['degraded'];
}

/** A snapshot of plain Linux: 16 GiB, 8 GiB available, 4 GiB free, 4 GiB reclaimable, no stall. */
export function snapshot(figures: SnapshotFigures = {}): Snapshot {
  const stall = figures.stall === undefined ? 0.5 : figures.stall;
  return {
    at: figures.at ?? '2026-01-15T10:00:00.000Z',
    environment: figures.environment ?? 'linux',
    linux: figures.linux === undefined ? linuxMemory({ total: 16 * GiB, free: 4 * GiB, available: 8 * GiB, reclaimable: 4 * GiB }) : figures.linux,
    pressure: stall === null ? null : { some: { avg10: stall, avg60: stall, avg300: stall, totalUs: 1000 }, full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 10 } },
    vmstat: figures.vmstat === undefined ? vmstat() : figures.vmstat,
    cpu: figures.cpu ?? null,
    host: figures.host === undefined ? null : figures.host,
    degraded: figures.degraded ?? [],
  };
}

/**
 * WSL2: Windows has 32 GiB with `availableGiB` free; vmmem holds 12 GiB; Linux sees 16 GiB with
 * 2 GiB free and 6 GiB reclaimable, so applications use 8 GiB and 4 GiB are held for nothing.
 */
export function wslSnapshot(availableGiB: number, figures: SnapshotFigures = {}): Snapshot {
  return snapshot({
    environment: 'wsl-guest',
    linux: linuxMemory({ total: 16 * GiB, free: 2 * GiB, available: 8 * GiB, reclaimable: 6 * GiB }),
    host: { total: 32 * GiB, available: availableGiB * GiB, vmmem: 12 * GiB },
    ...figures,
  });
}
