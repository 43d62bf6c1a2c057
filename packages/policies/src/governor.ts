import type { Snapshot } from '@gov/meminfo';
import { systemTimers, type Timers } from '@gov/io/portable';
import { applyAdvice } from './advice.js';
import type { GovConfig } from './config-schema.js';
import { decide, nextState, type Decision } from './decide.js';
import type { ErrorStage, HistoryRecord } from './history.js';
import type { Advisor, Clock, ContainerPort, HistoryPort, Logger, PodPort, ReclaimPort, SnapshotSource } from './ports.js';
import { toHistoryAdvice, toHistoryRecord, type ActionCause, type TickAction } from './record.js';
import { createPolicyState, type PolicyState } from './state.js';
import { toTickError, type ContainerReading, type TickReport } from './tick-report.js';

export interface GovernorOptions {
  source: SnapshotSource;
  reclaimer: ReclaimPort;
  /** Pauses idle containers; with `listContainers`, also sensed every tick the advisor or auto-pause needs it. */
  containers?: ContainerPort;
  /** Reclaims idle pods' page cache on a Kubernetes node; with `listPods`, sensed every tick `kubernetes.reclaim_idle_pods` is on. */
  pods?: PodPort;
  advisor?: Advisor;
  history: HistoryPort;
  clock?: Clock;
  config: GovConfig;
  logger?: Logger;
  /** Forces dry-run whatever the config says (`govd --dry-run`). */
  dryRun?: boolean;
  /** The policy state to resume from (e.g. persisted by the daemon); default a fresh one. */
  state?: PolicyState;
  /** Schedules the ticks; default the host's timers. */
  timers?: Timers;
}

export interface Governor {
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
  /** Calls `listener` with every tick's report once the tick is done; returns the function that stops it. A listener that throws is logged, never breaks the loop. */
  onTick(listener: (report: TickReport) => void): () => void;
  readonly config: GovConfig;
  readonly state: PolicyState;
  readonly lastTick: TickReport | null;
  readonly running: boolean;
}

async function readContainers(port: Required<Pick<ContainerPort, 'listContainers'>>): Promise<ContainerReading> {
  try {
    const listed = await port.listContainers();
    return { available: true, running: listed.filter((container) => container.state === 'running').length, error: null };
  } catch (error) {
    return { available: false, running: null, error: (error as Error)?.message ?? String(error) };
  }
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The Governor runs the loop through its ports: sense (snapshot, and the containers when the
 * advisor or auto-pause needs them) → decide → advisor (dynamic-policy reclaims only) → act
 * (unless dry-run) → history → tick listeners. Any part that fails is recorded as an `error`
 * history line; the tick still completes and the next one runs. Ticks never overlap.
 */
export function createGovernor(options: GovernorOptions): Governor {
  const clock: Clock = options.clock ?? { now: () => new Date(), monotonicMs: () => performance.now() };
  const monotonicMs = clock.monotonicMs ? () => (clock.monotonicMs as () => number)() : () => clock.now().getTime();
  const logger = options.logger ?? silentLogger;
  const timers = options.timers ?? systemTimers;
  let config = options.config;
  let state = options.state ?? createPolicyState();
  let lastTick: TickReport | null = null;
  let inFlight: Promise<TickReport> | null = null;
  let timer: unknown = null;
  let started = false;
  let lastActionAt: Date | null = state.lastReclaimAt ? new Date(state.lastReclaimAt) : null;
  const listeners = new Set<(report: TickReport) => void>();

  const fail = (report: TickReport, stage: ErrorStage, cause: unknown): void => {
    const error = toTickError(stage, cause);
    report.errors.push(error);
    logger.error({ stage, code: error.code, err: cause }, `tick ${stage} failed: ${error.message}`);
  };

  /** Snapshot, container and pod listings side by side: all are the tick's sensing. */
  async function sense(report: TickReport): Promise<void> {
    const port = options.containers;
    const wantsContainers = port?.listContainers !== undefined && (config.docker.auto_pause_idle_containers || options.advisor !== undefined);
    const listPods = config.kubernetes.reclaim_idle_pods ? options.pods?.listPods?.bind(options.pods) : undefined;
    const [snapshot, containers] = await Promise.allSettled([
      (async () => options.source.readSnapshot())(),
      wantsContainers ? readContainers(port as Required<ContainerPort>) : Promise.resolve(undefined),
      // Only the CPU samples matter here; a failed listing leaves idleness unknown, like a failed container listing.
      listPods ? listPods().catch(() => undefined) : Promise.resolve(undefined),
    ]);
    if (snapshot.status === 'fulfilled') report.snapshot = snapshot.value;
    else fail(report, 'snapshot', snapshot.reason);
    if (containers.status === 'fulfilled' && containers.value !== undefined) report.containers = containers.value;
  }

  /**
   * An action on idle workloads (containers paused, pods' page cache reclaimed): times it, records
   * what it named as the tick's action, and reports a missing port or a failure as an `act` error.
   */
  async function runIdleAction(
    report: TickReport,
    cause: ActionCause,
    dryRun: boolean,
    now: Date,
    missing: Error | null,
    run: () => Promise<{ names: string[]; freedBytes: number }>,
    toAction: (names: string[], done: { freedBytes: number; durationMs: number; dryRun: boolean }) => TickAction,
  ): Promise<HistoryRecord | null> {
    if (missing) {
      fail(report, 'act', missing);
      return null;
    }
    const started = clock.now().getTime();
    try {
      const { names, freedBytes } = await run();
      report.action = toAction(names, { freedBytes, durationMs: Math.max(0, clock.now().getTime() - started), dryRun });
      if (!dryRun && names.length > 0) lastActionAt = now;
      return toHistoryRecord(report.action, cause);
    } catch (error) {
      fail(report, 'act', error);
      return null;
    }
  }

  async function act(report: TickReport, taken: Decision, dryRun: boolean, now: Date): Promise<HistoryRecord | null> {
    const cause = { at: report.at, policy: taken.policy, code: taken.code, reason: taken.reason, advice: report.advice ? toHistoryAdvice(report.advice) : null };
    if (taken.kind === 'reclaim') {
      try {
        // Under WSL2 freed pages reach Windows through free-page reporting only once memory is
        // compacted: without it the host waits for WSL's own compaction, up to 30 s later.
        const environment = report.snapshot?.environment;
        const compact = environment === 'wsl-guest' || environment === 'windows';
        const result = await options.reclaimer.reclaim({ method: taken.method, ...(taken.targetBytes === null ? {} : { targetBytes: taken.targetBytes }), ...(compact ? { compact } : {}), dryRun });
        report.action = { kind: 'reclaim', result };
        if (!dryRun) {
          lastActionAt = now;
          options.advisor?.recordAction({ at: now, decision: taken, targetBytes: taken.targetBytes, freedBytes: result.freedBytes });
        }
        return toHistoryRecord(report.action, cause);
      } catch (cause) {
        fail(report, 'act', cause);
        return null;
      }
    }
    if (taken.kind === 'pause-idle-containers') {
      const { containers } = options;
      const missing = containers ? null : Object.assign(new Error('docker.auto_pause_idle_containers is on but no container port is plugged in'), { code: 'GOV_GOVERNOR_NO_CONTAINERS' });
      return runIdleAction(report, cause, dryRun, now, missing, async () => {
        const result = await (containers as ContainerPort).pauseIdle({
          idleForMs: config.docker.idle_container_threshold_minutes * 60_000,
          dryRun,
          confirm: () => true,
          allow: config.docker.allow,
          deny: config.docker.deny,
          maxPausesPerTick: config.docker.max_pauses_per_tick,
        });
        return { names: dryRun ? (result.wouldPause ?? result.paused) : result.paused, freedBytes: result.freedBytes };
      }, (paused, done) => ({ kind: 'pause-idle-containers', paused, ...done }));
    }
    if (taken.kind === 'reclaim-idle-pods') {
      const { pods } = options;
      const missing = pods ? null : Object.assign(new Error('kubernetes.reclaim_idle_pods is on but no pod port is plugged in'), { code: 'GOV_GOVERNOR_NO_PODS' });
      return runIdleAction(report, cause, dryRun, now, missing, async () => {
        const result = await (pods as PodPort).reclaimIdle({ idleForMs: config.kubernetes.idle_pod_minutes * 60_000, dryRun, exclude: config.kubernetes.exclude, maxPodsPerTick: config.kubernetes.max_pods_per_tick });
        return { names: dryRun ? (result.wouldReclaim ?? result.reclaimed) : result.reclaimed, freedBytes: result.freedBytes };
      }, (reclaimed, done) => ({ kind: 'reclaim-idle-pods', reclaimed, ...done }));
    }
    return null;
  }

  /** The decision as taken: the policy's, after the advisor for dynamic-policy reclaims. */
  function advise(report: TickReport, decision: Decision, snapshot: Snapshot, now: Date): Decision {
    if (decision.kind !== 'reclaim' || decision.policy !== 'dynamic' || !options.advisor) return decision;
    try {
      report.advice = options.advisor.advise({ decision, snapshot, now, lastActionAt, runningContainers: report.containers?.running ?? null });
      return applyAdvice(decision, report.advice, snapshot, config);
    } catch (cause) {
      fail(report, 'advise', cause);
      return decision;
    }
  }

  async function runTick(): Promise<TickReport> {
    const now = clock.now();
    const startedMs = monotonicMs();
    const dryRun = options.dryRun === true || config.governor.dry_run;
    const report: TickReport = { at: now.toISOString(), snapshot: null, decision: null, advice: null, taken: null, action: null, record: null, dryRun, durationMs: 0, errors: [] };
    const records: HistoryRecord[] = [];

    await sense(report);
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
      const taken = advise(report, decision, snapshot, now);
      report.taken = taken;
      logger.debug({ decision: taken }, `decision: ${taken.kind} (${taken.code})`);

      if (decision.kind === 'reclaim' && taken.kind === 'none' && report.advice) {
        records.push({ kind: 'veto', at: report.at, policy: decision.policy, code: taken.code, reason: taken.reason, method: decision.method, targetBytes: decision.targetBytes, advice: toHistoryAdvice(report.advice) });
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
    // Sensing (the snapshot and the container listing), deciding, acting and recording: all of it.
    report.durationMs = Math.max(0, monotonicMs() - startedMs);
    lastTick = report;
    for (const listener of listeners) {
      // A listener that throws must not break the tick nor the timer loop.
      try {
        listener(report);
      } catch (error) {
        logger.error({ event: 'tick', err: error }, 'a governor "tick" listener threw');
      }
    }
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
    if (timer !== null) timers.clearTimeout(timer);
    const handle = timers.setTimeout(() => {
      timer = null;
      void tick()
        .catch((error: unknown) => logger.error({ err: error }, 'tick failed'))
        .finally(() => scheduleNext(config.governor.check_interval_secs * 1000));
    }, delayMs);
    (handle as { unref?: () => void } | null)?.unref?.();
    timer = handle;
  }

  return {
    tick,
    start() {
      if (started) return;
      started = true;
      logger.info({ policy: config.governor.policy, intervalSecs: config.governor.check_interval_secs, dryRun: options.dryRun === true || config.governor.dry_run }, 'governor started');
      scheduleNext(0);
    },
    async stop() {
      started = false;
      if (timer !== null) timers.clearTimeout(timer);
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
    onTick(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    get config() {
      return config;
    },
    get state() {
      return state;
    },
    get lastTick() {
      return lastTick;
    },
    get running() {
      return inFlight !== null;
    },
  };
}
