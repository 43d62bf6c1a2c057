import { parseKeyValueLines } from './key-value.js';
import type { Vmstat } from './types.js';

function sumWhere(counters: Record<string, number>, keep: (name: string) => boolean): number | null {
  let sum: number | null = null;
  for (const [name, value] of Object.entries(counters)) if (keep(name)) sum = (sum ?? 0) + value;
  return sum;
}

function counter(counters: Record<string, number>, name: string): number | null {
  return Object.hasOwn(counters, name) ? (counters[name] as number) : null;
}

// pgsteal_anon/_file (and pgscan_anon/_file) split the same pages by type that the
// per-reclaimer counters already hold, and pgscan_direct_throttle counts events, not pages.
const NOT_A_RECLAIMER = new Set(['pgsteal_anon', 'pgsteal_file', 'pgscan_anon', 'pgscan_file', 'pgscan_direct_throttle']);

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
    pgsteal: sumWhere(counters, (name) => name.startsWith('pgsteal_') && !NOT_A_RECLAIMER.has(name)),
    pgscan: sumWhere(counters, (name) => name.startsWith('pgscan_') && !NOT_A_RECLAIMER.has(name)),
  };
}

/** Every counter of `/proc/vmstat` by its kernel name. */
export function parseVmstatCounters(text: string): Record<string, number> {
  return parseKeyValueLines(text, '/proc/vmstat');
}
