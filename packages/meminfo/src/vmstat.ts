import { parseKeyValueLines } from './key-value.js';
import type { Vmstat } from './types.js';

function counter(counters: Record<string, number>, name: string): number | null {
  return Object.hasOwn(counters, name) ? (counters[name] as number) : null;
}

/**
 * Pages reclaimed (`pgsteal`) or scanned (`pgscan`). Where the kernel splits them by page type
 * (`_anon` + `_file`, Linux 5.8+), that sum counts every reclaim, cgroup-limit and
 * `memory.reclaim` included; the per-reclaimer counters (`_kswapd`, `_direct`, ...) leave
 * cgroup reclaim out, so they are only summed on older kernels (per zone before 4.8).
 */
function reclaimPages(counters: Record<string, number>, prefix: 'pgsteal' | 'pgscan'): number | null {
  const anon = counter(counters, `${prefix}_anon`);
  const file = counter(counters, `${prefix}_file`);
  if (anon !== null || file !== null) return (anon ?? 0) + (file ?? 0);
  let sum: number | null = null;
  for (const [name, value] of Object.entries(counters)) {
    // pgscan_direct_throttle counts throttling events, not pages.
    if (name.startsWith(`${prefix}_`) && name !== 'pgscan_direct_throttle') sum = (sum ?? 0) + value;
  }
  return sum;
}

/**
 * Picks the counters the governor needs out of `/proc/vmstat`. Before Linux 5.9 the kernel had
 * only `workingset_refault` (file pages); it is reported as `workingsetRefaultFile` there.
 */
export function parseVmstat(text: string): Vmstat {
  const counters = parseKeyValueLines(text, '/proc/vmstat');
  return {
    workingsetRefaultFile: counter(counters, 'workingset_refault_file') ?? counter(counters, 'workingset_refault'),
    workingsetRefaultAnon: counter(counters, 'workingset_refault_anon'),
    pgmajfault: counter(counters, 'pgmajfault'),
    oomKill: counter(counters, 'oom_kill'),
    pgsteal: reclaimPages(counters, 'pgsteal'),
    pgscan: reclaimPages(counters, 'pgscan'),
  };
}

/** Every counter of `/proc/vmstat` by its kernel name. */
export function parseVmstatCounters(text: string): Record<string, number> {
  return parseKeyValueLines(text, '/proc/vmstat');
}
