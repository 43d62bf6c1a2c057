/** Where govd runs; decides how Linux and host memory are read. */
export type Environment = 'linux' | 'wsl-guest' | 'windows';

/**
 * Linux memory in bytes, as `free -b` (procps-ng 4) derives it from `/proc/meminfo`.
 * Optional kernel fields that the kernel does not report are `null`, never `0`.
 */
export interface LinuxMemory {
  total: number;
  /** `total − available` */
  used: number;
  free: number;
  /** `Shmem` (tmpfs and shared memory) */
  shared: number;
  /** `Buffers + Cached + SReclaimable` */
  buffCache: number;
  available: number;
  swapTotal: number;
  swapUsed: number;
  swapFree: number;
  buffers: number;
  cached: number;
  sReclaimable: number | null;
  shmem: number | null;
  /** `Buffers + (Cached − Shmem) + SReclaimable`: what drop_caches can give back. */
  reclaimable: number;
  /** `total − free − reclaimable`: what applications hold. */
  actualUsage: number;
  activeFile: number | null;
  inactiveFile: number | null;
}

/** One PSI line (`some` or `full`) of `/proc/pressure/memory` or a cgroup's `memory.pressure`. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds. */
  totalUs: number;
}

export interface Pressure {
  some: PressureLine;
  /** Absent in some kernels' CPU files; always present for memory on 5.x+. */
  full: PressureLine | null;
}

/** The `/proc/vmstat` counters the governor reads; `null` where the kernel lacks one. */
export interface Vmstat {
  workingsetRefaultFile: number | null;
  workingsetRefaultAnon: number | null;
  pgmajfault: number | null;
  oomKill: number | null;
  /** Pages reclaimed: `pgsteal_anon + pgsteal_file`, or the per-reclaimer `pgsteal_*` sum on kernels before 5.8. */
  pgsteal: number | null;
  /** Pages scanned, counted the same way as `pgsteal`. */
  pgscan: number | null;
}

/**
 * Cumulative CPU time of all CPUs since boot, from `/proc/stat` (USER_HZ ticks). Only deltas
 * mean anything: the busy share between two readings is Δbusy / Δtotal.
 */
export interface CpuTimes {
  /** Ticks spent on anything but `idle` and `iowait`. */
  busy: number;
  total: number;
}

/** Memory of the machine that hosts Linux: Windows for WSL2, the same machine on plain Linux. */
export interface HostMemory {
  total: number;
  available: number;
  /** Working set of the `vmmem`/`vmmemWSL` process, where it is known. */
  vmmem: number | null;
}

/** A source that failed during a snapshot; the snapshot still carries everything else. */
export interface Degraded {
  source: string;
  code: string;
  message: string;
}

/** Everything the environment offers about memory at one moment. */
export interface Snapshot {
  /** ISO 8601 time the snapshot was taken. */
  at: string;
  environment: Environment;
  linux: LinuxMemory | null;
  pressure: Pressure | null;
  vmstat: Vmstat | null;
  /** How busy the CPUs are (Linux's `/proc/stat`): whether anything runs that could still want its cache. */
  cpu: CpuTimes | null;
  host: HostMemory | null;
  degraded: Degraded[];
}
