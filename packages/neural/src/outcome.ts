import type { FeedbackKind, SnapshotLike } from './types.js';

/** Thresholds that turn what was measured after an action into a harm label. */
export interface HarmRules {
  /** Refaulted bytes above this fraction of the freed bytes count as harm (the cache was needed). Default 0.5. */
  refaultFractionOfFreed: number;
  /** …and only when at least this many bytes refaulted, counting no more than were freed. Default 64 MiB. */
  refaultMinBytes: number;
  /** A rise of PSI `some avg10` by at least this many points within the window is harm. Default 10. */
  psiRisePoints: number;
}

export const DEFAULT_HARM_RULES: HarmRules = { refaultFractionOfFreed: 0.5, refaultMinBytes: 64 * 1024 * 1024, psiRisePoints: 10 };

/** The measured consequences of one action, at the horizon. */
export interface MeasuredOutcome {
  actionAt: string;
  measuredAt: string;
  freedBytes: number;
  /** Freed bytes still free at the horizon: the rise of MemFree, capped at what the action freed. */
  keptBytes: number;
  /** `workingset_refault_{file,anon}` delta × page size over the window. */
  refaultedBytes: number;
  /** Highest PSI `some avg10` seen in the window minus the value at the action. */
  psiRise: number;
  oomKills: number;
  feedback: FeedbackKind | null;
  harm: boolean;
  /** Why it was labelled harmful (or `ok`); empty when nothing happened. */
  harmReasons: string[];
  memTotal: number;
}

interface Baseline {
  free: number;
  total: number;
  refaults: number | null;
  oomKills: number | null;
  psi: number | null;
}

interface Pending<T> {
  at: number;
  freedBytes: number;
  baseline: Baseline;
  maxPsi: number | null;
  slow: boolean;
  ok: boolean;
  payload: T;
}

export interface OutcomeTracker<T> {
  /** Starts watching an action taken at `at`, measured against `before` (the last snapshot before it). */
  track(at: Date, before: SnapshotLike, freedBytes: number, payload: T): boolean;
  /** Feeds one snapshot taken at `now` (default: its own `at`); returns the outcomes whose horizon it reaches. */
  observe(snapshot: SnapshotLike, now?: Date): { outcome: MeasuredOutcome; payload: T }[];
  /** `gov feedback`: attaches to every action whose window contains `at`. */
  feedback(kind: FeedbackKind, at: Date): number;
  readonly pending: number;
  /** Actions dropped because no snapshot arrived within twice the horizon. */
  readonly expired: number;
}

/** Sum of the refault counters, or null when the kernel reports neither. */
export function refaultPages(snapshot: SnapshotLike): number | null {
  const vmstat = snapshot.vmstat;
  if (!vmstat || (vmstat.workingsetRefaultFile === null && vmstat.workingsetRefaultAnon === null)) return null;
  return (vmstat.workingsetRefaultFile ?? 0) + (vmstat.workingsetRefaultAnon ?? 0);
}

function baselineOf(snapshot: SnapshotLike): Baseline | null {
  if (!snapshot.linux) return null;
  return { free: snapshot.linux.free, total: snapshot.linux.total, refaults: refaultPages(snapshot), oomKills: snapshot.vmstat?.oomKill ?? null, psi: snapshot.pressure?.some.avg10 ?? null };
}

/**
 * Measures each action at a fixed horizon from the snapshots the Governor observes anyway:
 * nothing is assumed, and an action whose horizon was never observed (govd stopped) is
 * dropped rather than guessed.
 */
export function createOutcomeTracker<T>(options: { horizonMs: number; pageSize?: number; rules?: Partial<HarmRules> }): OutcomeTracker<T> {
  const horizonMs = options.horizonMs;
  const pageSize = options.pageSize ?? 4096;
  const rules = { ...DEFAULT_HARM_RULES, ...options.rules };
  let pending: Pending<T>[] = [];
  let expired = 0;

  function measure(entry: Pending<T>, snapshot: SnapshotLike, atMs: number): MeasuredOutcome {
    const linux = snapshot.linux;
    const freed = Math.max(0, entry.freedBytes);
    const rise = linux ? linux.free - entry.baseline.free : 0;
    const keptBytes = Math.min(freed, Math.max(0, rise));
    const refaultsNow = refaultPages(snapshot);
    const refaultedBytes = refaultsNow !== null && entry.baseline.refaults !== null ? Math.max(0, refaultsNow - entry.baseline.refaults) * pageSize : 0;
    const oomNow = snapshot.vmstat?.oomKill ?? null;
    const oomKills = oomNow !== null && entry.baseline.oomKills !== null ? Math.max(0, oomNow - entry.baseline.oomKills) : 0;
    const psiRise = entry.maxPsi !== null && entry.baseline.psi !== null ? Math.max(0, entry.maxPsi - entry.baseline.psi) : 0;
    const harmReasons: string[] = [];
    if (entry.slow) harmReasons.push('slow feedback');
    if (oomKills > 0) harmReasons.push(`${oomKills} OOM kill(s)`);
    // The counters are the whole machine's: an action cannot have caused more refaults than it freed.
    const attributable = Math.min(refaultedBytes, freed);
    if (attributable >= rules.refaultMinBytes && attributable > rules.refaultFractionOfFreed * freed) harmReasons.push(`refaulted ${Math.round(refaultedBytes / 1048576)} MiB`);
    if (psiRise >= rules.psiRisePoints) harmReasons.push(`PSI rose ${psiRise.toFixed(1)} points`);
    // An explicit "ok" outranks the measured heuristics, never a "slow" or an OOM kill.
    const okOverrides = entry.ok && !entry.slow && oomKills === 0;
    const harm = okOverrides ? false : harmReasons.length > 0;
    return {
      actionAt: new Date(entry.at).toISOString(),
      measuredAt: new Date(atMs).toISOString(),
      freedBytes: freed,
      keptBytes,
      refaultedBytes,
      psiRise,
      oomKills,
      feedback: entry.slow ? 'slow' : entry.ok ? 'ok' : null,
      harm,
      harmReasons: okOverrides ? ['ok feedback'] : harmReasons,
      memTotal: entry.baseline.total,
    };
  }

  return {
    track(at, before, freedBytes, payload) {
      const baseline = baselineOf(before);
      if (!baseline || !Number.isFinite(freedBytes)) return false;
      pending.push({ at: at.getTime(), freedBytes, baseline, maxPsi: baseline.psi, slow: false, ok: false, payload });
      return true;
    },
    observe(snapshot, now) {
      const atMs = now ? now.getTime() : Date.parse(snapshot.at);
      if (!Number.isFinite(atMs)) return [];
      const psi = snapshot.pressure?.some.avg10 ?? null;
      const done: { outcome: MeasuredOutcome; payload: T }[] = [];
      const keep: Pending<T>[] = [];
      for (const entry of pending) {
        if (atMs <= entry.at) {
          keep.push(entry);
          continue;
        }
        if (psi !== null) entry.maxPsi = entry.maxPsi === null ? psi : Math.max(entry.maxPsi, psi);
        if (atMs < entry.at + horizonMs) keep.push(entry);
        else if (atMs > entry.at + 2 * horizonMs || !snapshot.linux) expired += 1;
        else done.push({ outcome: measure(entry, snapshot, atMs), payload: entry.payload });
      }
      pending = keep;
      return done;
    },
    feedback(kind, at) {
      const atMs = at.getTime();
      let matched = 0;
      for (const entry of pending) {
        if (atMs >= entry.at && atMs <= entry.at + horizonMs) {
          if (kind === 'slow') entry.slow = true;
          else entry.ok = true;
          matched += 1;
        }
      }
      return matched;
    },
    get pending() {
      return pending.length;
    },
    get expired() {
      return expired;
    },
  };
}
