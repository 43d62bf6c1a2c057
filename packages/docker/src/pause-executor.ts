import { reclaimCgroupCache, type CacheReclaim, type CgroupReclaimPort } from './cgroup-cache.js';
import { compareNames } from './compare-names.js';
import type { DockerEngine, EngineContainer } from './engine.js';
import { errorSummary, isEngineGone } from './error-summary.js';
import { DockerError } from './errors.js';
import { planPauses, userGuard, type GuardOptions, type PauseGuard } from './guards.js';
import type { PausedRecord, PausedStateStore } from './paused-state.js';
import type { ContainerInfo, ContainerSensor } from './sensor.js';
import type { ContainerMemory } from './usage.js';


/** What happened to one container in `pauseIdle`. */
export interface PauseDecision {
  id: string;
  name: string;
  action: 'paused' | 'would-pause' | 'skipped' | 'failed';
  /** For `skipped`: the guard that kept it running, or `not-confirmed`. */
  guard: PauseGuard | 'not-confirmed' | null;
  reason: string;
  memoryBefore: ContainerMemory | null;
  memoryAfter: ContainerMemory | null;
  /** Bytes that left the container's cgroup: usage before the pause − usage after the reclaim. */
  freedBytes: number;
  reclaim: CacheReclaim | null;
  error?: { code: string; message: string };
}

export interface PauseIdleOptions {
  /** How long a container must have been idle; default 30 minutes. */
  idleForMs?: number;
  /** Decide and report, pause nothing. */
  dryRun?: boolean;
  /**
   * Asked once with the containers about to be paused; nothing is paused unless it resolves
   * true. Absent: nothing is paused.
   */
  confirm?: (containers: ContainerInfo[]) => boolean | Promise<boolean>;
  /** Name globs; when not empty only matching containers may be paused. */
  allow?: readonly string[];
  /** Name globs never paused. */
  deny?: readonly string[];
  /** Default 3. */
  maxPausesPerTick?: number;
}

export interface PauseIdleResult {
  dryRun: boolean;
  idleForMs: number;
  /** The answer of `confirm`; `null` when it was not asked (nothing to pause, or a dry run). */
  confirmed: boolean | null;
  /** Names of the containers paused now. */
  paused: string[];
  /** Names that would be paused (dry run). */
  wouldPause: string[];
  /** Sum of `freedBytes` of the paused containers. */
  freedBytes: number;
  /** Every container considered, sorted by name. */
  containers: PauseDecision[];
}

/** `pause`: one container someone named, under the guards the user set. */
export interface PauseOneOptions extends Partial<Pick<GuardOptions, 'allow' | 'deny'>> {
  /** Check the guards and report `would-pause`; pause nothing. */
  dryRun?: boolean;
}

export interface UnpauseResult {
  id: string;
  name: string;
  action: 'unpaused' | 'not-paused';
  /** Whether gov had paused it (it was in the state file). */
  pausedByGov: boolean;
}

export interface UnpauseAllResult {
  unpaused: string[];
  /** Remembered containers that were already running again or are gone: dropped from the state file. */
  forgotten: { name: string; reason: 'unpaused-elsewhere' | 'gone' }[];
  failed: { name: string; error: { code: string; message: string } }[];
}

export interface PauseExecutor {
  /** Pauses containers idle for `idleForMs`, then reclaims their memory cgroups. */
  pauseIdle(options?: PauseIdleOptions): Promise<PauseIdleResult>;
  /**
   * Pauses one running container by name or id and reclaims its memory cgroup, as `pauseIdle`
   * does for an idle one. Idleness and dependencies are not checked (someone chose it), but the
   * user's guards are: a container labelled `gov.pause=never`, matching `deny` or outside a
   * non-empty `allow` is refused with `GOV_DOCKER_GUARDED`, and one that is not running with
   * `GOV_DOCKER_NOT_RUNNING`.
   */
  pause(nameOrId: string, options?: PauseOneOptions): Promise<PauseDecision>;
  /** Unpauses one container by name or id, and forgets it if gov had paused it. */
  unpause(nameOrId: string): Promise<UnpauseResult>;
  /** Unpauses every container gov paused that is still paused. */
  unpauseAll(): Promise<UnpauseAllResult>;
  /** The containers gov paused that are still paused (others are forgotten). */
  pausedByGov(): Promise<PausedRecord[]>;
}

export interface PauseExecutorOptions {
  /** Pauses and unpauses. */
  engine: DockerEngine;
  /** Lists the containers and their idleness, and reads a container's memory around its pause. */
  sensor: ContainerSensor;
  /** Reclaims a paused container's memory cgroup: the only thing here that writes to the kernel. */
  reclaimer: CgroupReclaimPort;
  /** The record of what gov paused; the sensor must read the same one. */
  state: PausedStateStore;
  now: () => number;
}


/** `12 s`, `4 min`, `250 ms`: how long a container has been idle, for a reason line. */
function describeIdle(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Drops remembered containers that are gone or running again; returns the ids still paused by gov. */
export async function reconcilePaused(state: PausedStateStore, listed: readonly EngineContainer[]): Promise<Set<string>> {
  const byId = new Map(listed.map((container) => [container.id, container]));
  const records = await state.read();
  if (records.length === 0) return new Set();
  const kept = records.filter((record) => byId.get(record.id)?.state === 'paused');
  if (kept.length !== records.length) {
    await state.update((current) => current.filter((record) => byId.get(record.id)?.state === 'paused'));
  }
  return new Set(kept.map((record) => record.id));
}

/** A decision not yet acted on: skipped by a guard, or about to be paused. */
function decisionFor(container: ContainerInfo, action: PauseDecision['action'], guard: PauseDecision['guard'], reason: string): PauseDecision {
  return { id: container.id, name: container.name, action, guard, reason, memoryBefore: container.memory, memoryAfter: null, freedBytes: 0, reclaim: null };
}

const DEFAULT_IDLE_MS = 30 * 60_000;

/** Whether a listed container stayed under the idle threshold for at least `idleForMs`, by its own samples. */
function idleInListing(container: ContainerInfo, idleForMs: number): boolean {
  // `cpu.percent` is known from the second sample on: one sample says nothing of idleness.
  return container.memory !== null && container.cpu !== null && container.cpu.percent !== null && (container.idleForMs ?? 0) >= idleForMs;
}

/** Every container's decision (skipped by a guard, or would-pause), and the containers to pause, biggest first. */
function judgeIdle(containers: readonly ContainerInfo[], options: PauseIdleOptions): { decisions: PauseDecision[]; chosen: ContainerInfo[] } {
  const idleForMs = options.idleForMs ?? DEFAULT_IDLE_MS;
  const plan = planPauses(
    containers.map((container) => ({ ...container, memoryBytes: container.memory?.usage ?? 0 })),
    (container) => idleInListing(container, idleForMs),
    { allow: options.allow ?? [], deny: options.deny ?? [], maxPauses: options.maxPausesPerTick ?? 3 },
  );
  const chosen = plan.pause.map((candidate) => containers.find((container) => container.id === candidate.id) as ContainerInfo);
  const decisions = [
    ...plan.skipped.map(({ container, guard, reason }) => decisionFor(container, 'skipped', guard, reason)),
    ...chosen.map((container) => decisionFor(container, 'would-pause', null, `idle for ${describeIdle(container.idleForMs ?? 0)}`)),
  ];
  return { decisions, chosen };
}

function resultOf(decisions: PauseDecision[], run: { dryRun: boolean; idleForMs: number; confirmed: boolean | null }): PauseIdleResult {
  decisions.sort((a, b) => compareNames(a.name, b.name));
  const paused = decisions.filter((decision) => decision.action === 'paused');
  return {
    ...run,
    paused: paused.map((decision) => decision.name),
    wouldPause: decisions.filter((decision) => decision.action === 'would-pause').map((decision) => decision.name),
    freedBytes: paused.reduce((sum, decision) => sum + decision.freedBytes, 0),
    containers: decisions,
  };
}

/**
 * What `pauseIdle({ dryRun: true })` answers, from a listing already made: each container's own
 * samples (`idleForMs`, `cpu.percent`) say whether it was idle for the window. For a listing
 * another process sampled — govd's `GET /api/containers` — so that a dry run need not sample.
 */
export function planPauseIdle(containers: readonly ContainerInfo[], options: Omit<PauseIdleOptions, 'dryRun' | 'confirm'> = {}): PauseIdleResult {
  const { decisions } = judgeIdle(containers, options);
  return resultOf(decisions, { dryRun: true, idleForMs: options.idleForMs ?? DEFAULT_IDLE_MS, confirmed: null });
}

/**
 * Pauses idle containers that pass every guard (`planPauses`), reclaims each one's memory cgroup
 * through the reclaimer it was given, and keeps the state file of what gov paused.
 */
export function createPauseExecutor(options: PauseExecutorOptions): PauseExecutor {
  const { engine, sensor, reclaimer, state, now } = options;

  /** Pauses one confirmed container and reclaims its cgroup, filling in `decision` as it goes. */
  async function pauseOne(container: ContainerInfo, decision: PauseDecision): Promise<void> {
    const before = (await sensor.memoryOf(container)) ?? container.memory;
    decision.memoryBefore = before;
    try {
      await engine.pause(container.id);
    } catch (error) {
      if (isEngineGone(error)) throw error;
      Object.assign(decision, { action: 'failed', error: errorSummary(error) });
      return;
    }
    decision.action = 'paused';
    // Remembered before the reclaim, so a crash after the pause still lets unpauseAll resume it.
    const pausedAt = new Date(now()).toISOString();
    await state.update((records) => [...records.filter((record) => record.id !== container.id), { id: container.id, name: container.name, pausedAt, freedBytes: 0 }]);
    decision.reclaim = await reclaimCgroupCache(reclaimer, container.cgroup?.path ?? null, before, "the container's");
    decision.memoryAfter = await sensor.memoryOf(container);
    decision.freedBytes = before !== null && decision.memoryAfter !== null ? Math.max(0, before.usage - decision.memoryAfter.usage) : 0;
    await state.update((records) => records.map((record) => (record.id === container.id ? { ...record, freedBytes: decision.freedBytes } : record)));
  }

  async function pauseIdle(pauseOptions: PauseIdleOptions = {}): Promise<PauseIdleResult> {
    const idleForMs = pauseOptions.idleForMs ?? DEFAULT_IDLE_MS;
    const dryRun = pauseOptions.dryRun ?? false;
    const { decisions, chosen } = judgeIdle(await sensor.listContainers(), pauseOptions);
    let confirmed: boolean | null = null;
    if (chosen.length > 0 && !dryRun) confirmed = pauseOptions.confirm ? (await pauseOptions.confirm(chosen)) === true : false;

    const byId = new Map(decisions.map((decision) => [decision.id, decision]));
    for (const container of chosen) {
      const decision = byId.get(container.id) as PauseDecision;
      if (dryRun) continue;
      if (confirmed) await pauseOne(container, decision);
      else Object.assign(decision, { action: 'skipped', guard: 'not-confirmed', reason: 'pausing was not confirmed' });
    }
    return resultOf(decisions, { dryRun, idleForMs, confirmed });
  }

  async function pause(nameOrId: string, pauseOptions: PauseOneOptions = {}): Promise<PauseDecision> {
    const { id } = await engine.inspect(nameOrId);
    const container = (await sensor.listContainers()).find((listed) => listed.id === id);
    if (container === undefined || container.state !== 'running') {
      const state = container?.state ?? (await engine.inspect(id)).state;
      throw new DockerError(`${container?.name ?? nameOrId} is ${state}; only a running container can be paused`, { code: 'GOV_DOCKER_NOT_RUNNING' });
    }
    const refused = userGuard(container, { allow: pauseOptions.allow ?? [], deny: pauseOptions.deny ?? [] });
    if (refused !== null) throw new DockerError(`${container.name} is not paused: ${refused.reason}`, { code: 'GOV_DOCKER_GUARDED', guard: refused.guard });
    const decision = decisionFor(container, 'would-pause', null, 'asked for by name');
    if (!pauseOptions.dryRun) await pauseOne(container, decision);
    return decision;
  }

  async function unpause(nameOrId: string): Promise<UnpauseResult> {
    const container = await engine.inspect(nameOrId);
    const records = await state.read();
    const pausedByGov = records.some((record) => record.id === container.id);
    let action: UnpauseResult['action'] = 'not-paused';
    if (container.state === 'paused') {
      await engine.unpause(container.id);
      action = 'unpaused';
    }
    if (pausedByGov) await state.update((current) => current.filter((record) => record.id !== container.id));
    return { id: container.id, name: container.name, action, pausedByGov };
  }

  async function unpauseAll(): Promise<UnpauseAllResult> {
    const records = await state.read();
    const result: UnpauseAllResult = { unpaused: [], forgotten: [], failed: [] };
    const done = new Set<string>();
    const forgetDone = () => state.update((current) => current.filter((entry) => !done.has(entry.id)));
    for (const record of records) {
      try {
        const container = await engine.inspect(record.id);
        if (container.state === 'paused') {
          await engine.unpause(record.id);
          result.unpaused.push(container.name);
        } else {
          result.forgotten.push({ name: container.name, reason: 'unpaused-elsewhere' });
        }
        done.add(record.id);
      } catch (error) {
        if (error instanceof DockerError && error.code === 'GOV_DOCKER_NOT_FOUND') {
          result.forgotten.push({ name: record.name, reason: 'gone' });
          done.add(record.id);
        } else if (isEngineGone(error)) {
          await forgetDone();
          throw error;
        } else {
          result.failed.push({ name: record.name, error: errorSummary(error) });
        }
      }
    }
    await forgetDone();
    return result;
  }

  async function pausedByGov(): Promise<PausedRecord[]> {
    const kept = await reconcilePaused(state, await engine.listContainers());
    return (await state.read()).filter((record) => kept.has(record.id));
  }

  return { pauseIdle, pause, unpause, unpauseAll, pausedByGov };
}
