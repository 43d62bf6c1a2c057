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
  actions: number;
  vetoes: number;
  shrinks: number;
  freedBytes: number;
  /** `drop_caches` writes by other programs during the run (`drop_pagecache` in /proc/vmstat): each one also emptied the workload's cache. */
  externalDrops: number;
}

export interface Row extends RunResult {
  totalReadMs: number;
  /** (read time − none's read time) / none's read time; null for none itself. */
  slowdown: number | null;
}

export interface Verdict {
  best: string | null;
  learned: string | null;
  met: boolean | null;
  explanation: string;
}

const GIB = 1024 ** 3;

export function totalReadMs(result: RunResult): number {
  return Object.values(result.readMs).reduce((sum, ms) => sum + ms, 0);
}

/** Rows with the slowdown of each contender against `none` measured in the same invocation. */
export function compare(results: RunResult[]): Row[] {
  const none = results.find((result) => result.contender === 'none');
  const baseline = none ? totalReadMs(none) : null;
  return results.map((result) => {
    const total = totalReadMs(result);
    return { ...result, totalReadMs: total, slowdown: baseline === null || result.contender === 'none' ? null : (total - baseline) / baseline };
  });
}

/**
 * The target: the learned policy gives back at least as much as the best static contender (the
 * one with the highest mean guest free memory) with at most half its slowdown.
 */
export function judge(rows: Row[], staticContenders: readonly string[], learnedName = 'learned'): Verdict {
  const statics = rows.filter((row) => staticContenders.includes(row.contender));
  const learned = rows.find((row) => row.contender === learnedName) ?? null;
  if (statics.length === 0 || !learned || learned.slowdown === null) return { best: null, learned: learned?.contender ?? null, met: null, explanation: 'needs none, the learned contender and at least one static contender in the same run' };
  const best = statics.reduce((a, b) => (b.meanGuestFreeBytes > a.meanGuestFreeBytes ? b : a));
  const bestSlowdown = best.slowdown ?? 0;
  const givesBack = learned.meanGuestFreeBytes >= best.meanGuestFreeBytes;
  // A best contender with no slowdown (or a speed-up) leaves no room: the learned one must not be slower than none either.
  const allowed = Math.max(0, bestSlowdown) / 2;
  const gentle = learned.slowdown <= allowed;
  const met = givesBack && gentle;
  const explanation = `best static contender by memory given back: ${best.contender} (mean guest free ${(best.meanGuestFreeBytes / GIB).toFixed(2)} GiB, slowdown ${formatPercent(bestSlowdown)}); learned: ${(learned.meanGuestFreeBytes / GIB).toFixed(2)} GiB (${givesBack ? 'at least as much' : 'less'}), slowdown ${formatPercent(learned.slowdown)} (${gentle ? 'within' : 'over'} half of ${formatPercent(bestSlowdown)})`;
  return { best: best.contender, learned: learned.contender, met, explanation };
}

export function formatPercent(value: number | null): string {
  if (value === null) return '—';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

function cells(row: Row): string[] {
  return [
    row.contender,
    `${(row.meanGuestFreeBytes / GIB).toFixed(2)} GiB`,
    row.idleCacheGiBMinutes.toFixed(2),
    `${(row.meanMachineFreeBytes / GIB).toFixed(2)} GiB`,
    `${(row.totalReadMs / 1000).toFixed(2)} s`,
    formatPercent(row.slowdown),
    `${row.actions}/${row.vetoes}/${row.shrinks}`,
    `${(row.freedBytes / GIB).toFixed(2)} GiB`,
    String(row.externalDrops),
  ];
}

/** The table the benchmark prints. */
export function formatReport(rows: Row[], verdict: Verdict): string {
  const header = ['contender', 'mean guest free', 'idle cache GiB·min', 'mean MemFree (machine)', 'read time', 'slowdown vs none', 'act/veto/shrink', 'freed', 'external drops'];
  const table = [header, ...rows.map(cells)];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] as string).length)));
  const lines = table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  '));
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  const target = verdict.met === null ? `target: not judged (${verdict.explanation})` : `target ${verdict.met ? 'MET' : 'NOT MET'}: ${verdict.explanation}`;
  return `${lines.join('\n')}\n\n${target}\n`;
}
