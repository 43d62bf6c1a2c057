import type { Snapshot } from '@gov/meminfo';
import { EventEmitter } from 'eventemitter3';
import type { GovConfig } from './config-schema.js';
import { decide, nextState, viewMemory, withinFloor, type Decision, type ReclaimDecision } from './decide.js';
import type { ErrorStage, HistoryAdvice, HistoryRecord } from './history.js';
import type { Advice, Advisor, Clock, ContainerPort, HistoryPort, Logger, ReclaimPort, ReclaimResultLike, SnapshotSource } from './ports.js';
import { createPolicyState, type PolicyState } from './state.js';

const MiB = 1024 * 1024;

/** What one tick did. */
export type TickAction =
  | { kind: 'reclaim'; result: ReclaimResultLike }
  | { kind: 'pause-idle-containers'; paused: string[]; freedBytes: number; durationMs: number; dryRun: boolean };

/** A part of a tick that failed; the tick still finished and the next one runs. */
export interface TickError {
  stage: ErrorStage;
  code: string;
  message: string;
  cause: unknown;
}

export interface TickReport {
  /** ISO time the tick started. */
  at: string;
  snapshot: Snapshot | null;
  /** What the policy decided. */
  decision: Decision | null;
  /** The advisor's opinion, for dynamic-policy reclaims when an advisor is plugged in. */
  advice: Advice | null;
  /** The decision as taken, after the advisor (a veto is a `none` with code `advisor-veto`). */
  taken: Decision | null;
  action: TickAction | null;
  /** The history line written, if any. */
  record: HistoryRecord | null;
  dryRun: boolean;
  durationMs: number;
  errors: TickError[];
}

export interface GovernorEvents {
  tick: (report: TickReport) => void;
  decision: (decision: Decision, snapshot: Snapshot) => void;
  action: (action: TickAction, report: TickReport) => void;
  error: (error: TickError) => void;
}

export interface GovernorOptions {
  source: SnapshotSource;
  reclaimer: ReclaimPort;
  containers?: ContainerPort;
  advisor?: Advisor;
  /** How many containers are running, for the advisor (govd: its last Docker listing); null when unknown. */
  runningContainers?: () => number | null;
  history: HistoryPort;
  clock?: Clock;
  config: GovConfig;
  logger?: Logger;
  /** Forces dry-run whatever the config says (`govd --dry-run`). */
  dryRun?: boolean;
  /** The policy state to resume from (e.g. persisted by the daemon); default a fresh one. */
  state?: PolicyState;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface Governor extends EventEmitter<GovernorEvents> {
  /** Runs one tick now; while a tick runs, resolves with that tick's report instead of starting another. */
  tick(): Promise<TickReport>;
  /** Ticks now and then every `governor.check_interval_secs`, until `stop()`. The timer does not keep the process alive. */
  start(): void;
  /** Stops the timer and waits for a running tick to finish. */
  stop(): Promise<void>;
  /** Uses a new config from the next tick on (and reschedules the timer to its interval). */
  setConfig(config: GovConfig): void;
  /** Records `gov feedback` in the history and tells the advisor. */
  recordFeedback(kind: 'slow' | 'ok', note?: string | null): Promise<void>;
  readonly config: GovConfig;
  readonly state: PolicyState;
  readonly lastTick: TickReport | null;
  readonly running: boolean;
}

function toTickError(stage: ErrorStage, cause: unknown): TickError {
  const error = cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof error?.code === 'string' ? error.code : 'GOV_TICK_FAILED';
  const message = typeof error?.message === 'string' ? error.message : String(cause);
  return { stage, code, message, cause };
}

function adviseOn(decision: ReclaimDecision, advice: Advice, snapshot: Snapshot, config: GovConfig): Decision {
  if (advice.verdict === 'allow') return decision;
  if (advice.verdict === 'raise') {
    // A raise can only add to a target, and what it asks for still has to clear the floor.
    const view = viewMemory(snapshot);
    const current = decision.targetBytes;
    if (view === null || current === null || !(advice.targetBytes > current)) return decision;
    const raised = withinFloor(view, config, decision.policy, decision.code, 'cgroup_reclaim', advice.targetBytes, decision.reason);
    if (raised.kind !== 'reclaim' || raised.targetBytes === null || raised.targetBytes <= current) return decision;
    return { ...raised, reason: `${raised.reason}; advisor raised it to ${Math.round(raised.targetBytes / MiB)} MiB: ${advice.reason}` };
  }
  if (advice.verdict === 'veto') return { kind: 'none', policy: decision.policy, code: 'advisor-veto', reason: `${decision.reason}; advisor vetoed: ${advice.reason}` };
  // A shrink can only lower the target, and never below what a reclaim needs.
  const current = decision.targetBytes ?? Number.POSITIVE_INFINITY;
  const target = Math.floor(Math.min(advice.targetBytes, current));
  if (!(target >= MiB)) return { kind: 'none', policy: decision.policy, code: 'advisor-veto', reason: `${decision.reason}; advisor shrank it below 1 MiB: ${advice.reason}` };
  if (target === current) return decision;
  return { ...decision, method: 'cgroup_reclaim', targetBytes: target, reason: `${decision.reason}; advisor shrank it to ${Math.round(target / MiB)} MiB: ${advice.reason}` };
}

function historyAdvice(advice: Advice | null): HistoryAdvice | null {
  if (advice === null) return null;
  return { verdict: advice.verdict, reason: advice.reason, targetBytes: advice.verdict === 'shrink' || advice.verdict === 'raise' ? advice.targetBytes : null };
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The Governor runs the loop through its ports: snapshot → decide → advisor (dynamic-policy
 * reclaims only) → act (unless dry-run) → history → events. Any part that fails is recorded as
 * an `error` history line and event; the tick still completes and the next one runs. Ticks
 * never overlap.
 */
export function createGovernor(options: GovernorOptions): Governor {
  const clock = options.clock ?? { now: () => new Date() };
  const logger = options.logger ?? silentLogger;
  const schedule = options.setTimeout ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const cancel = options.clearTimeout ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let config = options.config;
  let state = options.state ?? createPolicyState();
  let lastTick: TickReport | null = null;
  let inFlight: Promise<TickReport> | null = null;
  let timer: unknown = null;
  let started = false;
  let lastActionAt: Date | null = state.lastReclaimAt ? new Date(state.lastReclaimAt) : null;

  const emitter = new EventEmitter<GovernorEvents>();
  // A listener that throws must not break the tick nor the timer loop.
  const emit = <E extends keyof GovernorEvents>(event: E, ...args: Parameters<GovernorEvents[E]>) => {
    try {
      (emitter.emit as (name: E, ...rest: Parameters<GovernorEvents[E]>) => boolean)(event, ...args);
    } catch (error) {
      logger.error({ event, err: error }, `a governor "${event}" listener threw`);
    }
  };

  const fail = (report: TickReport, stage: ErrorStage, cause: unknown): void => {
    const error = toTickError(stage, cause);
    report.errors.push(error);
    logger.error({ stage, code: error.code, err: cause }, `tick ${stage} failed: ${error.message}`);
    emit('error', error);
  };

  async function act(report: TickReport, taken: Decision, dryRun: boolean, now: Date): Promise<HistoryRecord | null> {
    const base = { at: report.at, policy: taken.policy, code: taken.code, reason: taken.reason };
    if (taken.kind === 'reclaim') {
      try {
        const result = await options.reclaimer.reclaim({ method: taken.method, ...(taken.targetBytes === null ? {} : { targetBytes: taken.targetBytes }), dryRun });
        report.action = { kind: 'reclaim', result };
        if (!dryRun) {
          lastActionAt = now;
          options.advisor?.recordAction({ at: now, decision: taken, targetBytes: taken.targetBytes, freedBytes: result.freedBytes });
        }
        return {
          kind: 'reclaim',
          ...base,
          method: result.fallback?.to ?? result.method,
          targetBytes: taken.targetBytes,
          freedBytes: result.freedBytes,
          ...(result.freedMeasure ? { freedMeasure: result.freedMeasure } : {}),
          durationMs: result.durationMs,
          dryRun,
          steps: result.steps.map((step) => ({ name: step.name, status: step.status, durationMs: step.durationMs, ...(step.error ? { error: { code: step.error.code, message: step.error.message } } : {}) })),
          advice: historyAdvice(report.advice),
          ...(result.fallback ? { fallback: { ...result.fallback } } : {}),
        };
      } catch (cause) {
        fail(report, 'act', cause);
        return null;
      }
    }
    if (taken.kind === 'pause-idle-containers') {
      const started = clock.now().getTime();
      if (!options.containers) {
        fail(report, 'act', Object.assign(new Error('docker.auto_pause_idle_containers is on but no container port is plugged in'), { code: 'GOV_GOVERNOR_NO_CONTAINERS' }));
        return null;
      }
      try {
        const result = await options.containers.pauseIdle({
          idleForMs: config.docker.idle_container_threshold_minutes * 60_000,
          dryRun,
          confirm: () => true,
          allow: config.docker.allow,
          deny: config.docker.deny,
          maxPausesPerTick: config.docker.max_pauses_per_tick,
        });
        const paused = dryRun ? (result.wouldPause ?? result.paused) : result.paused;
        const durationMs = Math.max(0, clock.now().getTime() - started);
        report.action = { kind: 'pause-idle-containers', paused, freedBytes: result.freedBytes, durationMs, dryRun };
        if (!dryRun && paused.length > 0) lastActionAt = now;
        return { kind: 'pause-idle-containers', ...base, paused, freedBytes: result.freedBytes, durationMs, dryRun };
      } catch (cause) {
        fail(report, 'act', cause);
        return null;
      }
    }
    return null;
  }

  async function runTick(): Promise<TickReport> {
    const now = clock.now();
    const dryRun = options.dryRun === true || config.governor.dry_run;
    const report: TickReport = { at: now.toISOString(), snapshot: null, decision: null, advice: null, taken: null, action: null, record: null, dryRun, durationMs: 0, errors: [] };
    const records: HistoryRecord[] = [];

    try {
      report.snapshot = await options.source.readSnapshot();
    } catch (cause) {
      fail(report, 'snapshot', cause);
    }

    const snapshot = report.snapshot;
    if (snapshot !== null) {
      try {
        options.advisor?.observe(snapshot, now);
      } catch (cause) {
        fail(report, 'advise', cause);
      }
      try {
        report.decision = decide(snapshot, state, config, now);
      } catch (cause) {
        fail(report, 'decide', cause);
      }
    }

    const decision = report.decision;
    if (snapshot !== null && decision !== null) {
      let taken: Decision = decision;
      if (decision.kind === 'reclaim' && decision.policy === 'dynamic' && options.advisor) {
        try {
          report.advice = options.advisor.advise({ decision, snapshot, now, lastActionAt, runningContainers: options.runningContainers?.() ?? null });
          taken = adviseOn(decision, report.advice, snapshot, config);
        } catch (cause) {
          fail(report, 'advise', cause);
        }
      }
      report.taken = taken;
      emit('decision', taken, snapshot);
      logger.debug({ decision: taken }, `decision: ${taken.kind} (${taken.code})`);

      if (decision.kind === 'reclaim' && taken.kind === 'none' && report.advice) {
        records.push({ kind: 'veto', at: report.at, policy: decision.policy, code: taken.code, reason: taken.reason, method: decision.method, targetBytes: decision.targetBytes, advice: historyAdvice(report.advice) as HistoryAdvice });
      }
      const record = await act(report, taken, dryRun, now);
      if (record) records.push(record);
      try {
        state = nextState(state, snapshot, taken, config, now);
      } catch (cause) {
        fail(report, 'decide', cause);
      }
      if (report.action) {
        logger.info({ action: report.action.kind, policy: taken.policy, dryRun, freedBytes: record && 'freedBytes' in record ? record.freedBytes : 0 }, taken.reason);
      }
    }

    for (const error of report.errors) {
      records.push({ kind: 'error', at: report.at, stage: error.stage, code: error.code, message: error.message });
    }
    for (const record of records) {
      try {
        await options.history.append(record);
        report.record = report.record ?? record;
      } catch (cause) {
        fail(report, 'history', cause);
        break;
      }
    }
    report.durationMs = Math.max(0, clock.now().getTime() - now.getTime());
    if (report.action) emit('action', report.action, report);
    lastTick = report;
    emit('tick', report);
    return report;
  }

  function tick(): Promise<TickReport> {
    if (inFlight) return inFlight;
    inFlight = runTick().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  function scheduleNext(delayMs: number) {
    if (!started) return;
    if (timer !== null) cancel(timer);
    const handle = schedule(() => {
      timer = null;
      void tick()
        .catch((error: unknown) => logger.error({ err: error }, 'tick failed'))
        .finally(() => scheduleNext(config.governor.check_interval_secs * 1000));
    }, delayMs);
    (handle as { unref?: () => void } | null)?.unref?.();
    timer = handle;
  }

  const governor = Object.assign(emitter, {
    tick,
    start() {
      if (started) return;
      started = true;
      logger.info({ policy: config.governor.policy, intervalSecs: config.governor.check_interval_secs, dryRun: options.dryRun === true || config.governor.dry_run }, 'governor started');
      scheduleNext(0);
    },
    async stop() {
      started = false;
      if (timer !== null) cancel(timer);
      timer = null;
      if (inFlight) await inFlight.catch(() => undefined);
    },
    setConfig(next: GovConfig) {
      const intervalChanged = next.governor.check_interval_secs !== config.governor.check_interval_secs;
      config = next;
      if (intervalChanged && timer !== null && !inFlight) scheduleNext(config.governor.check_interval_secs * 1000);
    },
    async recordFeedback(kind: 'slow' | 'ok', note: string | null = null) {
      const now = clock.now();
      options.advisor?.recordFeedback(kind, now);
      await options.history.append({ kind: 'feedback', at: now.toISOString(), feedback: kind, note });
    },
  });
  Object.defineProperties(governor, {
    config: { get: () => config, enumerable: true },
    state: { get: () => state, enumerable: true },
    lastTick: { get: () => lastTick, enumerable: true },
    running: { get: () => inFlight !== null, enumerable: true },
  });
  return governor as unknown as Governor;
}
