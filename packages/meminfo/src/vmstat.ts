import { MeminfoParseError } from './errors.js';
import { parseKeyValueLines, scanKeyValueLines } from './key-value.js';
import type { Vmstat } from './types.js';

const SOURCE = '/proc/vmstat';

/**
 * Picks the counters the governor needs out of `/proc/vmstat`, in one pass without building
 * the ~200-counter record (this runs every tick).
 *
 * - Before Linux 5.9 the kernel had only `workingset_refault` (file pages); it is reported as
 *   `workingsetRefaultFile` there.
 * - Pages reclaimed (`pgsteal`) and scanned (`pgscan`): where the kernel splits them by page
 *   type (`_anon` + `_file`, Linux 5.8+), that sum counts every reclaim, cgroup-limit and
 *   `memory.reclaim` included; the per-reclaimer counters (`_kswapd`, `_direct`, ...) leave
 *   cgroup reclaim out, so they are only summed on older kernels (per zone before 4.8).
 *   `pgscan_direct_throttle` counts throttling events, not pages, and is never summed.
 */
export function parseVmstat(text: string): Vmstat {
  const counters = new VmstatCounters();
  // Every line checked by one regex run in native code; the few counters picked out by a second.
  // A file that fails the check goes through the line scan, which names the line that is wrong.
  if (typeof text !== 'string' || !WELL_FORMED.test(text)) scanKeyValueLines(text, SOURCE, () => undefined);
  // Every kernel lists some hundred counters: a file with none is not /proc/vmstat (a failed source, not "no refaults").
  if (!/\S/.test(text)) throw new MeminfoParseError(`${SOURCE} holds no counters`, { source: SOURCE });
  WANTED.lastIndex = 0;
  for (let match = WANTED.exec(text); match !== null; match = WANTED.exec(text)) counters.add(match[1] as string, Number(match[2]));
  return counters.result();
}

/** The whole text as `scanKeyValueLines` accepts it: `name integer` lines and blank lines. */
const WELL_FORMED = /^(?:[ \t\r]*\n|\S+[ \t]+-?\d+[ \t]*\r?(?:\n|$)|[ \t\r]+$)*$/;
/** The lines whose names `VmstatCounters.add` reads; a name is everything up to the first blank. */
const WANTED = /^(workingset_refault(?:_file|_anon)?|pgmajfault|oom_kill|pgsteal_\S*|pgscan_\S*)[ \t]+(-?\d+)/gm;

class VmstatCounters {
  private refaultFile: number | null = null;
  private refaultLegacy: number | null = null;
  private refaultAnon: number | null = null;
  private pgmajfault: number | null = null;
  private oomKill: number | null = null;
  private stealByType: number | null = null;
  private stealByReclaimer: number | null = null;
  private scanByType: number | null = null;
  private scanByReclaimer: number | null = null;

  add(name: string, value: number): void {
    switch (name) {
      case 'workingset_refault_file':
        this.refaultFile = value;
        return;
      case 'workingset_refault':
        this.refaultLegacy = value;
        return;
      case 'workingset_refault_anon':
        this.refaultAnon = value;
        return;
      case 'pgmajfault':
        this.pgmajfault = value;
        return;
      case 'oom_kill':
        this.oomKill = value;
        return;
      case 'pgsteal_anon':
      case 'pgsteal_file':
        this.stealByType = (this.stealByType ?? 0) + value;
        return;
      case 'pgscan_anon':
      case 'pgscan_file':
        this.scanByType = (this.scanByType ?? 0) + value;
        return;
      case 'pgscan_direct_throttle':
        return;
    }
    if (name.startsWith('pgsteal_')) this.stealByReclaimer = (this.stealByReclaimer ?? 0) + value;
    else if (name.startsWith('pgscan_')) this.scanByReclaimer = (this.scanByReclaimer ?? 0) + value;
  }

  result(): Vmstat {
    return {
      workingsetRefaultFile: this.refaultFile ?? this.refaultLegacy,
      workingsetRefaultAnon: this.refaultAnon,
      pgmajfault: this.pgmajfault,
      oomKill: this.oomKill,
      pgsteal: this.stealByType ?? this.stealByReclaimer,
      pgscan: this.scanByType ?? this.scanByReclaimer,
    };
  }
}

/** Every counter of `/proc/vmstat` by its kernel name. */
export function parseVmstatCounters(text: string): Record<string, number> {
  return parseKeyValueLines(text, SOURCE);
}
