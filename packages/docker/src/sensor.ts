import type { MeminfoFs } from '@gov/meminfo';
import { createCgroupLocator } from './cgroup-locator.js';
import type { ContainerCgroup } from './cgroup-paths.js';
import { compareNames } from './compare-names.js';
import { createDefaultEngine } from './default-engine.js';
import type { DockerEngine, DockerodeEngineOptions, EngineContainer, EngineInfo } from './engine.js';
import { errorSummary, isEngineGone } from './error-summary.js';
import { DockerError } from './errors.js';
import { parseComposeDependsOn } from './guards.js';
import { createIdleSampler, type IdleSampler } from './idle-sampler.js';
import type { Timers } from '@gov/io';
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

export interface ContainerSensorOptions extends DockerodeEngineOptions {
  /**
   * The engine calls; default `dockerHost`, else DOCKER_HOST, else the default socket — plain
   * HTTP on a unix socket for sensing, dockerode for pausing and for any other transport.
   */
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
  now?: () => number;
  /** Deadlines of file reads. */
  timers?: Timers;
  /** The wait between two samples; default a timer that stops early on the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Which of the listed containers gov paused, marked `pausedByGov` in each listing; the Docker
   * client answers from its state file. Default: none.
   */
  pausedIds?: (listed: readonly EngineContainer[]) => Promise<ReadonlySet<string>>;
}

/** Reads containers: what they hold, what CPU they use, and for how long they have been idle. Never pauses anything. */
export interface ContainerSensor {
  /** Running and paused containers with memory, CPU and idleness; records a sample for each. */
  listContainers(): Promise<ContainerInfo[]>;
  /**
   * Samples repeatedly for `durationMs`, so idleness over that window is known; returns the last
   * listing. Returns the first listing at once when it is empty: nothing there can be idle for the window.
   */
  sample(options: SampleOptions): Promise<ContainerInfo[]>;
  /** The container's memory now (no CPU sample is recorded); null when no source answers, thrown only when the engine is gone. */
  memoryOf(container: ContainerInfo): Promise<ContainerMemory | null>;
  /** The engine's own description (cached after the first call). */
  engineInfo(): Promise<EngineInfo>;
  readonly sampler: IdleSampler;
  /** Closes what the sensor's own engine keeps open (its event stream); an engine passed in is left to its owner. */
  close(): void;
}

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

const NONE_PAUSED: ReadonlySet<string> = new Set();

/** Container sensing: cgroup files first, the stats API where they are not readable, CPU samples for idle detection. */
export function createContainerSensor(options: ContainerSensorOptions = {}): ContainerSensor {
  const ownEngine = options.engine ? null : createDefaultEngine(options);
  const engine = options.engine ?? (ownEngine as DockerEngine);
  const fs = options.fs ?? nodeFs;
  const sensing = options.sensing ?? 'auto';
  const now = options.now ?? Date.now;
  const timers = options.timers;
  const sleep = options.sleep ?? abortableSleep;
  const pausedIds = options.pausedIds ?? (async () => NONE_PAUSED);
  const sampler = createIdleSampler({ idleCpuPercent: options.idleCpuPercent ?? 1 });
  const locator = createCgroupLocator({ fs, procRoot: options.procRoot ?? '/proc' });
  let infoPromise: Promise<EngineInfo> | undefined;

  const engineInfo = () => {
    infoPromise ??= engine.info().catch((error: unknown) => {
      infoPromise = undefined;
      throw error;
    });
    return infoPromise;
  };

  const useFiles = (info: EngineInfo) => sensing === 'cgroup' || (sensing === 'auto' && info.local);

  async function readUsage(container: EngineContainer, cgroup: ContainerCgroup | null, info: EngineInfo): Promise<ContainerUsage> {
    if (cgroup !== null) {
      try {
        return await readCgroupUsage(cgroup, { fs, ...(timers ? { timers } : {}) });
      } catch (error) {
        if (sensing === 'cgroup') throw error;
      }
    } else if (sensing === 'cgroup' && useFiles(info)) {
      throw new DockerError(`the cgroup of ${container.name} is not under any cgroup mount of this machine`, { code: 'GOV_DOCKER_API' });
    }
    return usageFromStatsApi(await engine.stats(container.id), container.memoryLimit);
  }

  async function describe(container: EngineContainer, info: EngineInfo, paused: ReadonlySet<string>): Promise<ContainerInfo> {
    const cgroup = useFiles(info) ? await locator.locate(container, info) : null;
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
      if (isEngineGone(error)) throw error;
      return { ...base, memory: null, cpu: null, idleForMs: null, source: null, error: errorSummary(error) };
    }
  }

  async function listContainers(): Promise<ContainerInfo[]> {
    const info = await engineInfo();
    const listed = await engine.listContainers();
    const paused = await pausedIds(listed);
    const described = await Promise.all(listed.map((container) => describe(container, info, paused)));
    sampler.retain(listed.map((container) => container.id));
    locator.retain(listed);
    return described.sort((a, b) => compareNames(a.name, b.name));
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
      if ((samples > 1 && coveredMs >= durationMs) || (samples === 1 && containers.length === 0)) return containers;
      await sleep(Math.max(1, Math.min(intervalMs, durationMs - coveredMs)), sampleOptions.signal);
    }
  }

  async function memoryOf(container: ContainerInfo): Promise<ContainerMemory | null> {
    const info = await engineInfo();
    try {
      const raw = await engine.inspect(container.id);
      return (await readUsage(raw, container.cgroup, info)).memory;
    } catch (error) {
      if (isEngineGone(error)) throw error;
      return null;
    }
  }

  return { listContainers, sample, memoryOf, engineInfo, sampler, close: () => ownEngine?.close?.() };
}
