import type { LinuxMemory } from '@gov/meminfo';
import type { ReclaimMethod } from './catalogue.js';
import type { ReclaimErrorCode } from './errors.js';

export type { ReclaimMethod } from './catalogue.js';

/** `1` page cache, `2` reclaimable slab (dentries, inodes), `3` both. */
export type DropCachesLevel = 1 | 2 | 3;

export interface ReclaimRequest {
  method: ReclaimMethod;
  /** drop_caches level (also used by `full`); default 1, page cache only. */
  level?: DropCachesLevel;
  /** Run `sync` before drop_caches (default true), so dirty pages can be dropped too. */
  sync?: boolean;
  /**
   * Bytes to reclaim with `cgroup_reclaim`: an integer in [1 MiB, 64 GiB]. Without it, the
   * target is what the cgroup holds as reclaimable file cache.
   */
  targetBytes?: number;
  /**
   * The cgroup, relative to the memory cgroup root (`docker/<id>` on v1, `system.slice/x.service`
   * on v2). Absent: the whole machine.
   */
  cgroup?: string;
  /**
   * Compact memory after a `drop_caches` or `cgroup_reclaim` (default false; `full` always
   * compacts). Under WSL2 this is what hands the freed pages back to Windows at once, through
   * free-page reporting, instead of at WSL's next compaction.
   */
  compact?: boolean;
  /** Record what would run; write nothing. */
  dryRun?: boolean;
}

export type StepStatus = 'ok' | 'skipped' | 'failed';

export type StepName = 'sync' | 'drop_caches' | 'compact_memory' | 'cgroup_reclaim';

export interface ReclaimStep {
  name: StepName;
  status: StepStatus;
  error?: { code: ReclaimErrorCode; message: string };
  durationMs: number;
  /** What the step did, or would do in a dry run, or why it was skipped. */
  detail?: string;
}

export interface ReclaimFallback {
  from: ReclaimMethod;
  to: ReclaimMethod;
  reason: string;
}

/** What `freedBytes` of a result measures. */
export type FreedMeasure = 'cgroup' | 'machine';

/** One cgroup's memory, in bytes. */
export interface CgroupUsage {
  /** Everything charged to it: v2 `memory.current`, v1 `memory.usage_in_bytes`. */
  usage: number;
  /** Its page cache: v2 `file`, v1 `total_cache` of `memory.stat`. */
  file: number;
}

export interface ReclaimResult {
  method: ReclaimMethod;
  targetBytes: number | null;
  steps: ReclaimStep[];
  /** Linux memory before the first step; `null` when it could not be read. */
  before: LinuxMemory | null;
  /** Linux memory after the last step; `null` in a dry run or when it could not be read. */
  after: LinuxMemory | null;
  /**
   * Bytes given back, never negative, as `freedMeasure` says: for a reclaim of one cgroup, what
   * left that cgroup (its usage before − after); otherwise how much more memory the machine has
   * free afterwards (`MemFree` after − before).
   */
  freedBytes: number;
  /**
   * What `freedBytes` measures: `cgroup` (the target cgroup's usage) or `machine` (`MemFree`).
   * A cgroup's usage is the exact count; the machine's `MemFree` rises by less than was freed,
   * since freed pages first go to per-CPU lists it does not count. Readers of records written
   * before this field existed should take its absence as `machine`.
   */
  freedMeasure: FreedMeasure;
  /** Set for a reclaim of one cgroup: its memory before and after (`after` is `null` in a dry run or when it could not be read). */
  cgroup?: { path: string; before: CgroupUsage | null; after: CgroupUsage | null };
  durationMs: number;
  dryRun: boolean;
  /** Set when the method could not run here and another one ran instead. */
  fallback?: ReclaimFallback;
}

/**
 * One action of the catalogue, as an executor receives it. `bytes` has been validated as an
 * integer in [1 MiB, 64 GiB]; `cgroup` as a relative path without `.`/`..` segments
 * (`''` is the root cgroup).
 */
export type ReclaimAction =
  | { kind: 'sync' }
  | { kind: 'drop_caches'; level: DropCachesLevel }
  | { kind: 'compact_memory' }
  | { kind: 'memory_reclaim'; cgroup: string; bytes: number; swappiness: boolean }
  | { kind: 'force_empty'; cgroup: string };

/** Where the memory controller is mounted, as the executor's machine sees it. */
export interface CgroupLayout {
  /** Mount point of a cgroup v2 hierarchy whose root offers the `memory` controller. */
  v2Memory: string | null;
  /** Mount point of the cgroup v1 hierarchy with the `memory` controller. */
  v1Memory: string | null;
}

/** What a successful action reports beyond "done". */
export interface ActionOutcome {
  /** A remark for the step (`the kernel reclaimed less than the target`). */
  note?: string;
}

/**
 * Runs catalogue actions on one machine. Methods throw `ReclaimError`; the reclaimer records
 * those in the step, so a failure never escapes `reclaim()`.
 */
export interface ReclaimExecutor {
  /** `local`, `wsl` or `dry-run`. */
  readonly kind: string;
  /** True when `run` touches nothing. */
  readonly dryRun: boolean;
  /** Where the memory cgroup hierarchies are mounted. Reads only. */
  readCgroupLayout(): Promise<CgroupLayout>;
  /** The cgroup's v2 `memory.stat` text, for a default target. Reads only. */
  readCgroupStat(cgroup: string): Promise<string>;
  /**
   * The memory of one cgroup (relative to the memory hierarchy that `readCgroupLayout` found, v2
   * first), so a reclaim of it reports what the cgroup gave back. Reads only. Executors without
   * it measure on the machine.
   */
  readCgroupUsage?(cgroup: string): Promise<CgroupUsage>;
  /** What `run(action)` does, in words (`write "1" to /proc/sys/vm/drop_caches`). */
  describe(action: ReclaimAction): string;
  /**
   * Checks, reading only, what `run(action)` would act on (the cgroup exists and resolves inside
   * the cgroup root), and rejects as `run` would. A dry run calls it, so it refuses what the real
   * run refuses. Optional: an executor without it has nothing to check.
   */
  check?(action: ReclaimAction): Promise<void>;
  run(action: ReclaimAction): Promise<ActionOutcome>;
}
