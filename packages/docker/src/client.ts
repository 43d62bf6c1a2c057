import { homedir } from 'node:os';
import { join } from 'node:path';
import type { MeminfoFs } from '@gov/meminfo';
import { createReclaimer } from '@gov/reclaimer';
import { containerCgroupPath, locateContainerCgroup, memoryCgroupFromProc, parseCgroupMounts, type CgroupMount, type ContainerCgroup } from './cgroup-paths.js';
import { createDockerodeEngine, type DockerEngine, type DockerodeEngineOptions, type EngineContainer, type EngineInfo } from './engine.js';
import { DockerError } from './errors.js';
import { parseComposeDependsOn, planPauses, type PauseGuard } from './guards.js';
import { createIdleSampler, type IdleSampler } from './idle-sampler.js';
import { createPausedStateStore, type PausedRecord, type PausedStateStore, type StateFs } from './paused-state.js';
import type { Timers } from './timeout.js';
import { nodeFs, readCgroupUsage, usageFromStatsApi, type ContainerMemory, type ContainerUsage } from './usage.js';

/** One running or paused container, with its memory and CPU. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  state: 'running' | 'paused';
  labels: Record<string, string>;
  /** Compose project and service, from the `com.docker.compose.*` labels. */
  compose: { project: string; service: string } | null;
  /** Compose services it depends on. */
  dependsOn: string[];
  networks: { name: string; aliases: string[] }[];
  startedAt: string;
  /** `null` when neither the cgroup files nor the stats API answered (see `error`). */
  memory: ContainerMemory | null;
  cpu: {
    /** Cumulative CPU time, nanoseconds. */
    usageNs: number;
    /** Over the interval since this client's previous sample, percent of one core; `null` on the first. */
    percent: number | null;
  } | null;
  /** How long its CPU has stayed under the idle threshold in this client's samples. */
  idleForMs: number | null;
  /** Where its cgroup is on this machine; `null` for a remote engine or an unknown layout. */
  cgroup: ContainerCgroup | null;
  source: 'cgroup' | 'api' | null;
  /** Paused, and by gov (it is in gov's state file). */
  pausedByGov: boolean;
  error?: { code: string; message: string };
}

/** The part of `@gov/reclaimer` pausing needs: reclaim one cgroup. */
export interface CgroupReclaimPort {
  reclaim(request: { method: 'cgroup_reclaim'; cgroup: string; targetBytes?: number; dryRun?: boolean }): Promise<{
    steps: { name: string; status: 'ok' | 'skipped' | 'failed'; error?: { code: string; message: string }; detail?: string }[];
  }>;
}

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
  reclaim: { status: 'ok' | 'skipped' | 'failed'; targetBytes: number | null; detail: string } | null;
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

export interface SampleProgress {
  elapsedMs: number;
  durationMs: number;
  samples: number;
  containers: number;
  /** Containers idle for every interval so far. */
  idle: number;
}

export interface SampleOptions {
  /** Sample for this long (at least one interval). */
  durationMs: number;
  /** Time between two samples; default a tenth of the duration, between 1 s and 30 s, at most the duration. */
  intervalMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SampleProgress) => void;
}

export interface DockerClient {
  /** Running and paused containers with memory, CPU and idleness; records a sample for each. */
  listContainers(): Promise<ContainerInfo[]>;
  /** Samples repeatedly for `durationMs`, so idleness over that window is known; returns the last listing. */
  sample(options: SampleOptions): Promise<ContainerInfo[]>;
  /** Pauses containers idle for `idleForMs`, then reclaims their memory cgroups. */
  pauseIdle(options?: PauseIdleOptions): Promise<PauseIdleResult>;
  /** Unpauses one container by name or id, and forgets it if gov had paused it. */
  unpause(nameOrId: string): Promise<UnpauseResult>;
  /** Unpauses every container gov paused that is still paused. */
  unpauseAll(): Promise<UnpauseAllResult>;
  /** The containers gov paused that are still paused (others are forgotten). */
  pausedByGov(): Promise<PausedRecord[]>;
  /** The engine's own description (cached after the first call). */
  engineInfo(): Promise<EngineInfo>;
  readonly sampler: IdleSampler;
  readonly stateFile: string;
}

export interface DockerClientOptions extends DockerodeEngineOptions {
  /** The engine calls; default dockerode (DOCKER_HOST or the default socket). */
  engine?: DockerEngine;
  /**
   * Where memory and CPU come from: `auto` (cgroup files for a local engine, the stats API
   * where the files are not readable), `cgroup` (files only) or `api` (stats API only).
   */
  sensing?: 'auto' | 'cgroup' | 'api';
  /** File reads for cgroup files and mountinfo. */
  fs?: MeminfoFs;
  /** Default `/proc`. */
  procRoot?: string;
  /** Default 1. */
  idleCpuPercent?: number;
  reclaimer?: CgroupReclaimPort;
  /** Directory of the state file; default `~/.local/state/gov`. */
  stateDir?: string;
  /** The state file itself; default `<stateDir>/docker-paused.json`. */
  stateFile?: string;
  stateFs?: StateFs;
  now?: () => number;
  /** Deadlines of file reads. */
  timers?: Timers;
  /** The wait between two samples; default a timer that stops early on the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const MIB = 1024 ** 2;

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `12 s`, `4 min`, `250 ms`: how long a container has been idle, for a reason line. */
function describeIdle(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
const MAX_RECLAIM_BYTES = 64 * 1024 ** 3;

function errorSummary(error: unknown): { code: string; message: string } {
  const coded = error as { code?: unknown; message?: unknown };
  return { code: typeof coded.code === 'string' ? coded.code : 'GOV_DOCKER_API', message: typeof coded.message === 'string' ? coded.message : String(error) };
}

/** A Docker client for gov: sensing, idle detection and pausing with guards. */
export function createDockerClient(options: DockerClientOptions = {}): DockerClient {
  const engine = options.engine ?? createDockerodeEngine(options);
  const fs = options.fs ?? nodeFs;
  const procRoot = options.procRoot ?? '/proc';
  const sensing = options.sensing ?? 'auto';
  const now = options.now ?? Date.now;
  const timers = options.timers;
  const sleep = options.sleep ?? abortableSleep;
  const sampler = createIdleSampler({ idleCpuPercent: options.idleCpuPercent ?? 1 });
  const stateFile = options.stateFile ?? join(options.stateDir ?? join(homedir(), '.local', 'state', 'gov'), 'docker-paused.json');
  const state: PausedStateStore = createPausedStateStore({ file: stateFile, ...(options.stateFs ? { fs: options.stateFs } : {}) });
  let reclaimer = options.reclaimer;
  let infoPromise: Promise<EngineInfo> | undefined;
  let mountsPromise: Promise<CgroupMount[]> | undefined;

  const engineInfo = () => {
    infoPromise ??= engine.info().catch((error: unknown) => {
      infoPromise = undefined;
      throw error;
    });
    return infoPromise;
  };

  const readText = (path: string) => fs.readFile(path, { signal: AbortSignal.timeout(1000) });

  const mounts = () => {
    mountsPromise ??= readText(`${procRoot}/self/mountinfo`).then(parseCgroupMounts, () => []);
    return mountsPromise;
  };

  const useFiles = async (info: EngineInfo) => sensing === 'cgroup' || (sensing === 'auto' && info.local);

  const located = new Map<string, ContainerCgroup | null>();

  const isCgroupDir = async (cgroup: ContainerCgroup) =>
    readText(`${cgroup.memoryDir}/memory.stat`).then(
      () => true,
      () => false,
    );

  async function findCgroup(container: EngineContainer, info: EngineInfo): Promise<ContainerCgroup | null> {
    const all = await mounts();
    const path = containerCgroupPath(container.id, info.cgroupDriver, container.cgroupParent);
    const byDriver = path === null ? null : locateContainerCgroup(path, info.cgroupVersion, all);
    if (byDriver !== null && (await isCgroupDir(byDriver))) return byDriver;
    // A layout the driver rule does not predict (a daemon-wide --cgroup-parent, rootless): ask the kernel.
    if (container.pid > 0) {
      const text = await readText(`${procRoot}/${container.pid}/cgroup`).catch(() => null);
      const fromProc = text === null ? null : memoryCgroupFromProc(text, info.cgroupVersion);
      const byProc = fromProc === null ? null : locateContainerCgroup(fromProc, info.cgroupVersion, all);
      if (byProc !== null && (await isCgroupDir(byProc))) return byProc;
    }
    // Not readable here: still the path the engine uses, for reclaim by a privileged executor.
    return byDriver;
  }

  /** Where the container's cgroup is, looked up once per container start. */
  async function locate(container: EngineContainer, info: EngineInfo): Promise<ContainerCgroup | null> {
    if (!(await useFiles(info))) return null;
    const key = `${container.id}@${container.startedAt}`;
    if (located.has(key)) return located.get(key) ?? null;
    const cgroup = await findCgroup(container, info);
    located.set(key, cgroup);
    return cgroup;
  }

  async function readUsage(container: EngineContainer, cgroup: ContainerCgroup | null, info: EngineInfo): Promise<ContainerUsage> {
    if (cgroup !== null) {
      try {
        return await readCgroupUsage(cgroup, { fs, ...(timers ? { timers } : {}) });
      } catch (error) {
        if (sensing === 'cgroup') throw error;
      }
    } else if (sensing === 'cgroup' && (await useFiles(info))) {
      throw new DockerError(`the cgroup of ${container.name} is not under any cgroup mount of this machine`, { code: 'GOV_DOCKER_API' });
    }
    return usageFromStatsApi(await engine.stats(container.id), container.memoryLimit);
  }

  async function describe(container: EngineContainer, info: EngineInfo, paused: ReadonlySet<string>): Promise<ContainerInfo> {
    const cgroup = await locate(container, info);
    const labels = container.labels;
    const project = labels['com.docker.compose.project'];
    const service = labels['com.docker.compose.service'];
    const base = {
      id: container.id,
      name: container.name,
      image: container.image,
      state: container.state === 'paused' ? ('paused' as const) : ('running' as const),
      labels,
      compose: project !== undefined && service !== undefined ? { project, service } : null,
      dependsOn: parseComposeDependsOn(labels['com.docker.compose.depends_on']),
      networks: container.networks,
      startedAt: container.startedAt,
      cgroup,
      pausedByGov: container.state === 'paused' && paused.has(container.id),
    };
    try {
      const usage = await readUsage(container, cgroup, info);
      const status = sampler.record({ id: container.id, atMs: now(), cpuUsageNs: usage.cpuUsageNs, state: container.state, startedAt: container.startedAt });
      return { ...base, memory: usage.memory, cpu: { usageNs: usage.cpuUsageNs, percent: status.cpuPercent }, idleForMs: status.idleForMs, source: usage.source };
    } catch (error) {
      if (error instanceof DockerError && error.code === 'GOV_DOCKER_UNAVAILABLE') throw error;
      return { ...base, memory: null, cpu: null, idleForMs: null, source: null, error: errorSummary(error) };
    }
  }

  /** Drops remembered containers that are gone or running again; returns the ids still paused by gov. */
  async function reconcile(listed: readonly EngineContainer[]): Promise<Set<string>> {
    const byId = new Map(listed.map((container) => [container.id, container]));
    const records = await state.read();
    if (records.length === 0) return new Set();
    const kept = records.filter((record) => byId.get(record.id)?.state === 'paused');
    if (kept.length !== records.length) {
      await state.update((current) => current.filter((record) => byId.get(record.id)?.state === 'paused'));
    }
    return new Set(kept.map((record) => record.id));
  }

  async function listContainers(): Promise<ContainerInfo[]> {
    const info = await engineInfo();
    const listed = await engine.listContainers();
    const paused = await reconcile(listed);
    const described = await Promise.all(listed.map((container) => describe(container, info, paused)));
    sampler.retain(listed.map((container) => container.id));
    const current = new Set(listed.map((container) => `${container.id}@${container.startedAt}`));
    for (const key of [...located.keys()]) if (!current.has(key)) located.delete(key);
    return described.sort((a, b) => a.name.localeCompare(b.name));
  }

  async function sample(sampleOptions: SampleOptions): Promise<ContainerInfo[]> {
    const durationMs = Math.max(0, sampleOptions.durationMs);
    // About ten samples per window, 1–30 s apart, and never longer apart than the window itself.
    const intervalMs = sampleOptions.intervalMs ?? Math.max(1, Math.min(durationMs, 30_000, Math.max(1000, Math.round(durationMs / 10))));
    const busy = new Set<string>();
    const seen = new Map<string, number>();
    // The window counts from the end of the first listing to the start of the last, so every
    // container's first and last samples are at least `durationMs` apart.
    let firstDoneMs: number | null = null;
    for (let samples = 1; ; samples += 1) {
      const listStartMs = now();
      const containers = await listContainers();
      firstDoneMs ??= now();
      const coveredMs = Math.max(0, listStartMs - firstDoneMs);
      for (const container of containers) {
        seen.set(container.id, (seen.get(container.id) ?? 0) + 1);
        const percent = container.cpu?.percent ?? null;
        if (container.state !== 'running' || (percent !== null && percent >= sampler.idleCpuPercent)) busy.add(container.id);
      }
      sampleOptions.onProgress?.({
        elapsedMs: Math.min(coveredMs, durationMs),
        durationMs,
        samples,
        containers: containers.length,
        idle: containers.filter((container) => !busy.has(container.id) && (seen.get(container.id) ?? 0) > 1).length,
      });
      if (samples > 1 && coveredMs >= durationMs) return containers;
      await sleep(Math.max(1, Math.min(intervalMs, durationMs - coveredMs)), sampleOptions.signal);
    }
  }

  async function reclaimContainer(container: ContainerInfo, before: ContainerMemory | null): Promise<PauseDecision['reclaim']> {
    if (container.cgroup === null) return { status: 'skipped', targetBytes: null, detail: 'the container\'s cgroup is not on this machine' };
    const reclaimable = before === null ? 0 : Math.max(0, before.cache - before.shmem);
    if (reclaimable < MIB) return { status: 'skipped', targetBytes: null, detail: 'it holds less than 1 MiB of page cache' };
    const targetBytes = Math.min(reclaimable, MAX_RECLAIM_BYTES);
    reclaimer ??= createReclaimer();
    try {
      const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: container.cgroup.path, targetBytes });
      const failed = result.steps.find((step) => step.status === 'failed');
      if (failed) return { status: 'failed', targetBytes, detail: failed.error?.message ?? `${failed.name} failed` };
      const ran = result.steps.filter((step) => step.status === 'ok');
      if (ran.length === 0) return { status: 'skipped', targetBytes, detail: result.steps.map((step) => step.detail ?? step.name).join('; ') || 'nothing ran' };
      return { status: 'ok', targetBytes, detail: ran.map((step) => step.detail ?? step.name).join('; ') };
    } catch (error) {
      return { status: 'failed', targetBytes, detail: errorSummary(error).message };
    }
  }

  async function memoryNow(container: ContainerInfo): Promise<ContainerMemory | null> {
    const info = await engineInfo();
    try {
      const raw = await engine.inspect(container.id);
      return (await readUsage(raw, container.cgroup, info)).memory;
    } catch (error) {
      if (error instanceof DockerError && error.code === 'GOV_DOCKER_UNAVAILABLE') throw error;
      return null;
    }
  }

  async function pauseIdle(pauseOptions: PauseIdleOptions = {}): Promise<PauseIdleResult> {
    const idleForMs = pauseOptions.idleForMs ?? 30 * 60_000;
    const dryRun = pauseOptions.dryRun ?? false;
    const maxPauses = pauseOptions.maxPausesPerTick ?? 3;
    const containers = await listContainers();
    const plan = planPauses(
      containers.map((container) => ({ ...container, memoryBytes: container.memory?.usage ?? 0 })),
      (container) => container.memory !== null && sampler.isIdle(container.id, idleForMs),
      { allow: pauseOptions.allow ?? [], deny: pauseOptions.deny ?? [], maxPauses },
    );
    const decisions: PauseDecision[] = plan.skipped.map(({ container, guard, reason }) => ({
      id: container.id,
      name: container.name,
      action: 'skipped',
      guard,
      reason,
      memoryBefore: container.memory,
      memoryAfter: null,
      freedBytes: 0,
      reclaim: null,
    }));
    const chosen = plan.pause.map((candidate) => containers.find((container) => container.id === candidate.id) as ContainerInfo);
    let confirmed: boolean | null = null;
    if (chosen.length > 0 && !dryRun) confirmed = pauseOptions.confirm ? (await pauseOptions.confirm(chosen)) === true : false;

    for (const container of chosen) {
      const decision: PauseDecision = {
        id: container.id,
        name: container.name,
        action: 'would-pause',
        guard: null,
        reason: `idle for ${describeIdle(container.idleForMs ?? 0)}`,
        memoryBefore: container.memory,
        memoryAfter: null,
        freedBytes: 0,
        reclaim: null,
      };
      decisions.push(decision);
      if (dryRun) continue;
      if (!confirmed) {
        Object.assign(decision, { action: 'skipped', guard: 'not-confirmed', reason: 'pausing was not confirmed' });
        continue;
      }
      const before = (await memoryNow(container)) ?? container.memory;
      decision.memoryBefore = before;
      try {
        await engine.pause(container.id);
      } catch (error) {
        if (error instanceof DockerError && error.code === 'GOV_DOCKER_UNAVAILABLE') throw error;
        Object.assign(decision, { action: 'failed', error: errorSummary(error) });
        continue;
      }
      decision.action = 'paused';
      // Remembered before the reclaim, so a crash after the pause still lets unpauseAll resume it.
      const pausedAt = new Date(now()).toISOString();
      await state.update((records) => [...records.filter((record) => record.id !== container.id), { id: container.id, name: container.name, pausedAt, freedBytes: 0 }]);
      decision.reclaim = await reclaimContainer(container, before);
      decision.memoryAfter = await memoryNow(container);
      decision.freedBytes = before !== null && decision.memoryAfter !== null ? Math.max(0, before.usage - decision.memoryAfter.usage) : 0;
      await state.update((records) => records.map((record) => (record.id === container.id ? { ...record, freedBytes: decision.freedBytes } : record)));
    }

    decisions.sort((a, b) => a.name.localeCompare(b.name));
    const paused = decisions.filter((decision) => decision.action === 'paused');
    return {
      dryRun,
      idleForMs,
      confirmed,
      paused: paused.map((decision) => decision.name),
      wouldPause: decisions.filter((decision) => decision.action === 'would-pause').map((decision) => decision.name),
      freedBytes: paused.reduce((sum, decision) => sum + decision.freedBytes, 0),
      containers: decisions,
    };
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
        } else if (error instanceof DockerError && error.code === 'GOV_DOCKER_UNAVAILABLE') {
          await state.update((current) => current.filter((entry) => !done.has(entry.id)));
          throw error;
        } else {
          result.failed.push({ name: record.name, error: errorSummary(error) });
        }
      }
    }
    await state.update((current) => current.filter((entry) => !done.has(entry.id)));
    return result;
  }

  async function pausedByGov(): Promise<PausedRecord[]> {
    const listed = await engine.listContainers();
    const kept = await reconcile(listed);
    return (await state.read()).filter((record) => kept.has(record.id));
  }

  return { listContainers, sample, pauseIdle, unpause, unpauseAll, pausedByGov, engineInfo, sampler, stateFile };
}

/** `createDockerClient`, after checking that the engine answers: throws `GOV_DOCKER_UNAVAILABLE` when it does not. */
export async function connectDocker(options: DockerClientOptions = {}): Promise<DockerClient> {
  const client = createDockerClient(options);
  await client.engineInfo();
  return client;
}
