/** What the host-pressure scenario measured in one run. */
export interface HostMeasure {
  /** Seconds into the run when host available first fell under the target; null if it never did. */
  crossedAtSecs: number | null;
  /** Seconds from that crossing to the contender's first reclaim at or after it; null if none. */
  reactionSecs: number | null;
  minAvailableBytes: number;
  /** Host available averaged over time (each sample weighted by the time to the next). */
  meanAvailableBytes: number;
  /** Seconds host available spent under the emergency threshold. */
  belowEmergencySecs: number;
  totalBytes: number;
}

/** Whether other programs disturbed a run: it is shown, never silently averaged in. */
export interface Disturbance {
  /** `drop_caches` writes by other programs (`drop_pagecache` in /proc/vmstat): each also emptied the workload's cache. */
  externalDrops: number;
  /** CPU used by everything but the guest and this benchmark, % of all CPUs, mean over the run. */
  otherCpuPercent: number;
  maxLoad1: number;
  /** Why the run counts as disturbed; empty when it does not. */
  reasons: string[];
}

/** What one contender's run measured. */
export interface RunResult {
  contender: string;
  round: number;
  /** Mean of the guest's free memory (vmSize − charged cache − RSS) over the run. */
  meanGuestFreeBytes: number;
  /** Mean MemFree of the whole machine over the run (other tenants move it: context only). */
  meanMachineFreeBytes: number;
  /** ∫ page cache held during the idle phase, in GiB·minutes. */
  idleCacheGiBMinutes: number;
  /** Wall time of every read pass, summed, per phase. */
  readMs: Record<string, number>;
  /** Bytes the read passes fetched from storage (`read_bytes` of the readers' `/proc/<pid>/io`): cache misses. */
  diskReadBytes: number;
  diskReadBytesByPhase: Record<string, number>;
  /** Growth of the machine's PSI memory `some` total over the run, µs (v1 has no per-cgroup PSI). */
  stallUs: number;
  oomKills: number;
  actions: number;
  vetoes: number;
  shrinks: number;
  raises: number;
  freedBytes: number;
  disturbance: Disturbance;
  host: HostMeasure | null;
}

/** min / median / max over the rounds. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface Row {
  contender: string;
  runs: number;
  disturbed: number;
  guestFree: Spread;
  idleCache: Spread;
  readSecs: Spread;
  diskRead: Spread;
  stallSecs: Spread;
  /** Paired with `none` of the same round; null for none itself or without it. */
  extraDiskRead: Spread | null;
  extraStallSecs: Spread | null;
  slowdown: Spread | null;
  actions: Spread;
  freed: Spread;
  oomKills: number;
  externalDrops: number;
  host: { reactionSecs: Spread | null; reactedRuns: number; minAvailable: Spread; meanAvailable: Spread; belowEmergencySecs: Spread; totalBytes: number } | null;
}

const GIB = 1024 ** 3;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

export const totalReadMs = (result: Pick<RunResult, 'readMs'>) => Object.values(result.readMs).reduce((sum, ms) => sum + ms, 0);

/** One row per contender: every figure as min/median/max over its runs; differences to `none` paired by round. */
export function compare(results: RunResult[]): Row[] {
  const names = [...new Set(results.map((result) => result.contender))];
  const noneByRound = new Map(results.filter((result) => result.contender === 'none').map((result) => [result.round, result]));
  return names.map((contender) => {
    const runs = results.filter((result) => result.contender === contender);
    const paired = contender === 'none' ? [] : runs.filter((run) => noneByRound.has(run.round)).map((run) => [run, noneByRound.get(run.round) as RunResult] as const);
    const pairs = (pick: (run: RunResult, none: RunResult) => number) => (paired.length === 0 ? null : spread(paired.map(([run, none]) => pick(run, none))));
    const hosts = runs.map((run) => run.host).filter((host): host is HostMeasure => host !== null);
    const reactions = hosts.map((host) => host.reactionSecs).filter((secs): secs is number => secs !== null);
    return {
      contender,
      runs: runs.length,
      disturbed: runs.filter((run) => run.disturbance.reasons.length > 0).length,
      guestFree: spread(runs.map((run) => run.meanGuestFreeBytes)),
      idleCache: spread(runs.map((run) => run.idleCacheGiBMinutes)),
      readSecs: spread(runs.map((run) => totalReadMs(run) / 1000)),
      diskRead: spread(runs.map((run) => run.diskReadBytes)),
      stallSecs: spread(runs.map((run) => run.stallUs / 1e6)),
      extraDiskRead: pairs((run, none) => run.diskReadBytes - none.diskReadBytes),
      extraStallSecs: pairs((run, none) => (run.stallUs - none.stallUs) / 1e6),
      slowdown: pairs((run, none) => (totalReadMs(run) - totalReadMs(none)) / Math.max(1, totalReadMs(none))),
      actions: spread(runs.map((run) => run.actions)),
      freed: spread(runs.map((run) => run.freedBytes)),
      oomKills: runs.reduce((sum, run) => sum + run.oomKills, 0),
      externalDrops: runs.reduce((sum, run) => sum + run.disturbance.externalDrops, 0),
      host:
        hosts.length === 0
          ? null
          : {
              reactionSecs: reactions.length === 0 ? null : spread(reactions),
              reactedRuns: reactions.length,
              minAvailable: spread(hosts.map((host) => host.minAvailableBytes)),
              meanAvailable: spread(hosts.map((host) => host.meanAvailableBytes)),
              belowEmergencySecs: spread(hosts.map((host) => host.belowEmergencySecs)),
              totalBytes: (hosts[0] as HostMeasure).totalBytes,
            },
    };
  });
}

export function formatPercent(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '—';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)}`;
const signedGib = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / GIB).toFixed(2)}`;
const secs = (value: number) => value.toFixed(1);
const signedSecs = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
const whole = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** `median [min…max]`, or the one value when every run agrees. */
export function formatSpread(value: Spread | null, show: (n: number) => string): string {
  if (value === null || Number.isNaN(value.median)) return '—';
  if (value.min === value.max) return show(value.median);
  return `${show(value.median)} [${show(value.min)}…${show(value.max)}]`;
}

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] as string).length)));
  const lines = all.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  '));
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return `${lines.join('\n')}\n`;
}

/** The memory and slowdown table: every cell `median [min…max]` over the rounds. */
export function formatRows(rows: Row[]): string {
  const header = ['contender', 'runs', 'disturbed', 'guest free GiB', 'idle cache GiB·min', 're-read vs none GiB', 'stall vs none s', 'disk reads GiB', 'read time s', 'slowdown vs none', 'actions', 'freed GiB', 'OOM'];
  return table(
    header,
    rows.map((row) => [
      row.contender,
      String(row.runs),
      String(row.disturbed),
      formatSpread(row.guestFree, gib),
      formatSpread(row.idleCache, (n) => n.toFixed(2)),
      formatSpread(row.extraDiskRead, signedGib),
      formatSpread(row.extraStallSecs, signedSecs),
      formatSpread(row.diskRead, gib),
      formatSpread(row.readSecs, secs),
      formatSpread(row.slowdown, formatPercent),
      formatSpread(row.actions, whole),
      formatSpread(row.freed, gib),
      String(row.oomKills),
    ]),
  );
}

/** The host table: reaction to the host crossing its target, and what the host had left. */
export function formatHostRows(rows: Row[]): string {
  const withHost = rows.filter((row) => row.host !== null);
  const header = ['contender', 'reacted', 'first reclaim after crossing s', 'min host available GiB', 'mean host available GiB', 'under emergency s'];
  return table(
    header,
    withHost.map((row) => {
      const host = row.host as NonNullable<Row['host']>;
      return [row.contender, `${host.reactedRuns}/${row.runs}`, formatSpread(host.reactionSecs, secs), formatSpread(host.minAvailable, gib), formatSpread(host.meanAvailable, gib), formatSpread(host.belowEmergencySecs, secs)];
    }),
  );
}

export interface Verdict {
  target: string;
  /** null: not judged (what it needs is missing). */
  met: boolean | null;
  explanation: string;
}

const byName = (rows: Row[], name: string) => rows.find((row) => row.contender === name) ?? null;

/**
 * Idle-phase target: learned gives back at least the memory of the best of the others (by median
 * guest free) with at most half its re-read bytes beyond none, and never re-reads more than the
 * static policy it started from (dynamic). Judged on re-read bytes, then on stall time; wall
 * time only with five rounds or more (CPU contention moves it by tens of percent).
 */
export function judgeIdle(rows: Row[], others: readonly string[], rounds: number): Verdict[] {
  const learned = byName(rows, 'learned');
  const candidates = rows.filter((row) => others.includes(row.contender));
  if (!learned || candidates.length === 0 || learned.extraDiskRead === null) {
    return [{ target: 'idle', met: null, explanation: 'needs none, learned and at least one of the others in the same run' }];
  }
  const best = candidates.reduce((a, b) => (b.guestFree.median > a.guestFree.median ? b : a));
  const givesBack = learned.guestFree.median >= best.guestFree.median;
  const half = (value: Spread | null) => Math.max(0, value?.median ?? 0) / 2;
  const reReadsOk = learned.extraDiskRead.median <= half(best.extraDiskRead);
  const stallOk = (learned.extraStallSecs?.median ?? 0) <= half(best.extraStallSecs);
  const dynamic = byName(rows, 'dynamic');
  const notWorse = dynamic?.extraDiskRead ? learned.extraDiskRead.median <= dynamic.extraDiskRead.median : null;
  const line = (row: Row) => `${row.contender}: guest free ${gib(row.guestFree.median)} GiB, re-read ${signedGib(row.extraDiskRead?.median ?? 0)} GiB, stall ${signedSecs(row.extraStallSecs?.median ?? 0)} s vs none`;
  const verdicts: Verdict[] = [
    { target: 'gives back ≥ the best other, ≤ half its re-reads', met: givesBack && reReadsOk, explanation: `best other by memory given back: ${line(best)}\n  ${line(learned)}` },
    { target: 'the same, with stall time (PSI) for re-reads', met: givesBack && stallOk, explanation: '' },
    { target: 'never more re-reads than dynamic', met: notWorse, explanation: dynamic ? line(dynamic) : 'dynamic did not run' },
  ];
  if (rounds >= 5 && learned.slowdown && best.slowdown) {
    verdicts.push({ target: 'the same, with read wall time', met: givesBack && learned.slowdown.median <= half(best.slowdown), explanation: '' });
  }
  return verdicts;
}

/**
 * Host target, for each gov contender: the first reclaim within one tick of the host crossing
 * its target; host available never under the emergency threshold where the guest holds enough
 * reclaimable memory for that to be possible; re-reads and stall no worse than senpai's.
 */
export function judgeHost(rows: Row[], gov: readonly string[], options: { tickSecs: number; emergencyBytes: number; feasible: boolean }): Verdict[] {
  const senpai = byName(rows, 'senpai');
  return gov
    .map((name) => byName(rows, name))
    .filter((row): row is Row => row !== null && row.host !== null)
    .map((row) => {
      const host = row.host as NonNullable<Row['host']>;
      const reacted = host.reactedRuns === row.runs && host.reactionSecs !== null && host.reactionSecs.max <= options.tickSecs;
      const kept = host.minAvailable.min >= options.emergencyBytes;
      const gentle = senpai?.extraDiskRead && row.extraDiskRead ? row.extraDiskRead.median <= Math.max(0, senpai.extraDiskRead.median) && (row.extraStallSecs?.median ?? 0) <= Math.max(0, senpai.extraStallSecs?.median ?? 0) : null;
      const parts = [
        `reacts within one tick (${options.tickSecs} s): ${reacted ? 'yes' : 'no'} (${formatSpread(host.reactionSecs, secs)} s, ${host.reactedRuns}/${row.runs} runs)`,
        `host available ≥ emergency (${gib(options.emergencyBytes)} GiB): ${kept ? 'yes' : 'no'} (min ${gib(host.minAvailable.min)} GiB)${options.feasible ? '' : ' — not possible with what the guest can give back, not judged'}`,
        `slowdown ≤ senpai's: ${gentle === null ? 'not judged (needs none and senpai)' : gentle ? 'yes' : 'no'}`,
      ];
      const met = reacted && (kept || !options.feasible) && gentle !== false;
      return { target: `host: ${row.contender}`, met, explanation: parts.join('\n  ') };
    });
}

const yesNo = (met: boolean | null) => (met === null ? 'not judged' : met ? 'MET' : 'NOT MET');

export function formatVerdicts(verdicts: Verdict[]): string {
  return verdicts.map((verdict) => `target (${verdict.target}): ${yesNo(verdict.met)}${verdict.explanation ? `\n  ${verdict.explanation}` : ''}`).join('\n');
}

/** Lines naming every disturbed run, so that none is silently averaged in. */
export function formatDisturbed(results: RunResult[]): string {
  const disturbed = results.filter((result) => result.disturbance.reasons.length > 0);
  if (disturbed.length === 0) return 'disturbed runs: none\n';
  return `disturbed runs (shown, counted in the table; rerun on a quiet machine):\n${disturbed.map((result) => `  round ${result.round} ${result.contender}: ${result.disturbance.reasons.join('; ')}`).join('\n')}\n`;
}
