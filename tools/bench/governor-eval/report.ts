/** What one contender's run measured. */
export interface RunResult {
  contender: string;
  /** Mean of the guest's free memory (vmSize − charged cache − RSS) over the run. */
  meanGuestFreeBytes: number;
  /** Mean MemFree of the whole machine over the run (other tenants move it: noisy). */
  meanMachineFreeBytes: number;
  /** ∫ page cache held during the idle phase, in GiB·minutes. */
  idleCacheGiBMinutes: number;
  /** Wall time of every read pass, summed, per phase. */
  readMs: Record<string, number>;
  /** Bytes the read passes fetched from storage (`read_bytes` of the readers' `/proc/<pid>/io`): cache misses. */
  diskReadBytes: number;
  /** `diskReadBytes` per phase (hot, other, return): where the cache misses fell. */
  diskReadBytesByPhase?: Record<string, number>;
  actions: number;
  vetoes: number;
  shrinks: number;
  raises: number;
  freedBytes: number;
  /** `drop_caches` writes by other programs during the run (`drop_pagecache` in /proc/vmstat): each one also emptied the workload's cache. */
  externalDrops: number;
}

export interface Row extends RunResult {
  /** Runs aggregated into this row. */
  runs: number;
  totalReadMs: number;
  /** (read time − none's read time) / none's read time; null for none itself. */
  slowdown: number | null;
  /** Disk reads beyond none's; null for none itself. */
  extraDiskReadBytes: number | null;
}

export interface Verdict {
  best: string | null;
  learned: string | null;
  /** The target with the slowdown in wall time of the read phases. */
  met: boolean | null;
  /** The same target with the slowdown counted as extra bytes re-read from disk (immune to CPU contention). */
  metByReReads: boolean | null;
  explanation: string;
}

const GIB = 1024 ** 3;

export function totalReadMs(result: Pick<RunResult, 'readMs'>): number {
  return Object.values(result.readMs).reduce((sum, ms) => sum + ms, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** One row per contender over several rounds: the median read time per phase, the mean of everything else. */
export function aggregate(results: RunResult[]): (RunResult & { runs: number })[] {
  const names = [...new Set(results.map((result) => result.contender))];
  return names.map((contender) => {
    const runs = results.filter((result) => result.contender === contender);
    const phases = [...new Set(runs.flatMap((run) => Object.keys(run.readMs)))];
    const pick = (key: 'meanGuestFreeBytes' | 'meanMachineFreeBytes' | 'idleCacheGiBMinutes' | 'diskReadBytes' | 'actions' | 'vetoes' | 'shrinks' | 'raises' | 'freedBytes' | 'externalDrops') => mean(runs.map((run) => run[key]));
    return {
      contender,
      runs: runs.length,
      meanGuestFreeBytes: pick('meanGuestFreeBytes'),
      meanMachineFreeBytes: pick('meanMachineFreeBytes'),
      idleCacheGiBMinutes: pick('idleCacheGiBMinutes'),
      readMs: Object.fromEntries(phases.map((phase) => [phase, median(runs.map((run) => run.readMs[phase] ?? 0))])),
      diskReadBytes: pick('diskReadBytes'),
      actions: pick('actions'),
      vetoes: pick('vetoes'),
      shrinks: pick('shrinks'),
      raises: pick('raises'),
      freedBytes: pick('freedBytes'),
      externalDrops: runs.reduce((sum, run) => sum + run.externalDrops, 0),
    };
  });
}

/** Rows with the slowdown of each contender against `none` measured in the same invocation. */
export function compare(results: RunResult[]): Row[] {
  const rows = aggregate(results);
  const none = rows.find((row) => row.contender === 'none');
  const baseline = none ? totalReadMs(none) : null;
  return rows.map((row) => {
    const total = totalReadMs(row);
    const isNone = row.contender === 'none';
    return {
      ...row,
      totalReadMs: total,
      slowdown: baseline === null || isNone ? null : (total - baseline) / baseline,
      extraDiskReadBytes: none === undefined || isNone ? null : row.diskReadBytes - none.diskReadBytes,
    };
  });
}

export function formatPercent(value: number | null): string {
  if (value === null) return '—';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

const gib = (bytes: number | null) => (bytes === null ? '—' : `${(bytes / GIB).toFixed(2)} GiB`);

/**
 * The target: the learned policy gives back at least as much as the best static contender (the
 * one with the highest mean guest free memory) with at most half its slowdown — judged on the
 * wall time of the read phases, and again on the bytes re-read from disk.
 */
export function judge(rows: Row[], staticContenders: readonly string[], learnedName = 'learned'): Verdict {
  const statics = rows.filter((row) => staticContenders.includes(row.contender));
  const learned = rows.find((row) => row.contender === learnedName) ?? null;
  if (statics.length === 0 || !learned || learned.slowdown === null || learned.extraDiskReadBytes === null) {
    return { best: null, learned: learned?.contender ?? null, met: null, metByReReads: null, explanation: 'needs none, the learned contender and at least one static contender in the same run' };
  }
  const best = statics.reduce((a, b) => (b.meanGuestFreeBytes > a.meanGuestFreeBytes ? b : a));
  const bestSlowdown = best.slowdown ?? 0;
  const bestExtra = best.extraDiskReadBytes ?? 0;
  const givesBack = learned.meanGuestFreeBytes >= best.meanGuestFreeBytes;
  // A best contender with no slowdown (or a speed-up) leaves no room: the learned one must not be slower than none either.
  const gentle = learned.slowdown <= Math.max(0, bestSlowdown) / 2;
  const gentleOnDisk = learned.extraDiskReadBytes <= Math.max(0, bestExtra) / 2;
  const explanation = [
    `best static contender by memory given back: ${best.contender} (mean guest free ${gib(best.meanGuestFreeBytes)}, slowdown ${formatPercent(bestSlowdown)}, re-read ${gib(bestExtra)} more than none)`,
    `learned: mean guest free ${gib(learned.meanGuestFreeBytes)} (${givesBack ? 'at least as much' : 'less'}), slowdown ${formatPercent(learned.slowdown)} (${gentle ? 'within' : 'over'} half), re-read ${gib(learned.extraDiskReadBytes)} more than none (${gentleOnDisk ? 'within' : 'over'} half)`,
  ].join('\n  ');
  return { best: best.contender, learned: learned.contender, met: givesBack && gentle, metByReReads: givesBack && gentleOnDisk, explanation };
}

const count = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

function cells(row: Row): string[] {
  return [
    row.contender,
    String(row.runs),
    gib(row.meanGuestFreeBytes),
    row.idleCacheGiBMinutes.toFixed(2),
    gib(row.meanMachineFreeBytes),
    `${(row.totalReadMs / 1000).toFixed(2)} s`,
    formatPercent(row.slowdown),
    gib(row.diskReadBytes),
    row.extraDiskReadBytes === null ? '—' : `${row.extraDiskReadBytes >= 0 ? '+' : ''}${gib(row.extraDiskReadBytes)}`,
    `${count(row.actions)}/${count(row.vetoes)}/${count(row.shrinks)}/${count(row.raises)}`,
    gib(row.freedBytes),
    String(row.externalDrops),
  ];
}

const yesNo = (met: boolean | null) => (met === null ? 'not judged' : met ? 'MET' : 'NOT MET');

/** The table the benchmark prints. */
export function formatReport(rows: Row[], verdict: Verdict): string {
  const header = ['contender', 'runs', 'mean guest free', 'idle cache GiB·min', 'mean MemFree (machine)', 'read time', 'slowdown vs none', 'disk reads', 're-read vs none', 'act/veto/shrink/raise', 'freed', 'external drops'];
  const table = [header, ...rows.map(cells)];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] as string).length)));
  const lines = table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  '));
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return `${lines.join('\n')}\n\ntarget (slowdown = read wall time): ${yesNo(verdict.met)}\ntarget (slowdown = bytes re-read from disk): ${yesNo(verdict.metByReReads)}\n  ${verdict.explanation}\n`;
}
