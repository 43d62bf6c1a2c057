import { withDeadline, type Timers } from '@gov/io';
import Dockerode from 'dockerode';
import type { CgroupDriver } from './cgroup-paths.js';
import { DockerError, noAnswer, toDockerError } from './errors.js';

/** What the engine says about itself that sensing needs. */
export interface EngineInfo {
  serverVersion: string;
  cgroupDriver: CgroupDriver;
  cgroupVersion: 1 | 2;
  /**
   * Whether the engine runs on this machine (reached through a local socket or named pipe),
   * so its containers' cgroup files can be read here.
   */
  local: boolean;
}

/** One container as the engine describes it (list entry and inspect merged). */
export interface EngineContainer {
  id: string;
  name: string;
  image: string;
  /** `running`, `paused`, `exited`, … */
  state: string;
  labels: Record<string, string>;
  /** ISO 8601 time of the last start; changes when the container restarts. */
  startedAt: string;
  /** Host pid of the container's first process; 0 when it is not running. */
  pid: number;
  /** `HostConfig.CgroupParent`; `''` for the engine's default. */
  cgroupParent: string;
  /** `HostConfig.Memory`; `null` when unlimited. */
  memoryLimit: number | null;
  /** Networks with the aliases set for the container there (its own id prefixes left out). */
  networks: { name: string; aliases: string[] }[];
}

/** The few engine calls `@gov/docker` makes; the default talks to dockerode. */
export interface DockerEngine {
  info(): Promise<EngineInfo>;
  /** Running and paused containers. */
  listContainers(): Promise<EngineContainer[]>;
  /** Throws `GOV_DOCKER_NOT_FOUND` for an unknown name or id. */
  inspect(nameOrId: string): Promise<EngineContainer>;
  /** `GET /containers/{id}/stats?stream=false&one-shot=true`, the raw JSON. */
  stats(id: string): Promise<unknown>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
}

export interface DockerodeEngineOptions {
  /** An existing dockerode instance; otherwise one is made from `dockerHost`. */
  docker?: Dockerode;
  /**
   * `unix:///path`, `tcp://host:port`, `npipe:////./pipe/name` or `ssh://user@host`. Absent:
   * dockerode's own default, which follows `DOCKER_HOST` or the default socket.
   */
  dockerHost?: string;
  /** Deadline of each engine request; default 10 s (a stats call alone takes 1–2 s). */
  timeoutMs?: number;
  timers?: Timers;
}

/** dockerode options for a `DOCKER_HOST`-style address. */
export function dockerOptionsFromHost(dockerHost: string): Dockerode.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) || '/var/run/docker.sock' };
  if (dockerHost.startsWith('npipe://')) return { socketPath: dockerHost.slice('npipe://'.length) || '//./pipe/docker_engine' };
  let url: URL;
  try {
    url = new URL(dockerHost.includes('://') ? dockerHost : `tcp://${dockerHost}`);
  } catch (error) {
    throw new DockerError(`DOCKER_HOST "${dockerHost}" is not an address such as unix:///var/run/docker.sock or tcp://host:2375`, { code: 'GOV_DOCKER_INVALID_OPTION', cause: error });
  }
  if (url.protocol === 'ssh:') return { protocol: 'ssh', host: url.hostname, port: url.port || 22, username: url.username };
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DockerError(`DOCKER_HOST "${dockerHost}" has an unknown scheme ${url.protocol}; use unix://, tcp://, npipe:// or ssh://`, { code: 'GOV_DOCKER_INVALID_OPTION' });
  }
  const port = url.port || (url.protocol === 'https:' ? '2376' : '2375');
  return { protocol: url.protocol === 'https:' || port === '2376' ? 'https' : 'http', host: url.hostname, port };
}

interface RawInspect {
  Id: string;
  Name?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: { Status?: string; StartedAt?: string; Pid?: number };
  HostConfig?: { CgroupParent?: string; Memory?: number };
  NetworkSettings?: { Networks?: Record<string, { Aliases?: string[] | null } | null> | null };
}

/** The container view of an inspect answer. */
export function engineContainerFromInspect(raw: RawInspect): EngineContainer {
  const id = raw.Id;
  const networks = Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, network]) => ({
    name,
    // The engine adds the short id as an alias on user networks; that one says nothing about use.
    aliases: (network?.Aliases ?? []).filter((alias) => !(alias.length >= 12 && id.startsWith(alias))),
  }));
  const memory = raw.HostConfig?.Memory ?? 0;
  return {
    id,
    name: (raw.Name ?? '').replace(/^\//, ''),
    image: raw.Config?.Image ?? '',
    state: raw.State?.Status ?? 'unknown',
    labels: { ...(raw.Config?.Labels ?? {}) },
    startedAt: raw.State?.StartedAt ?? '',
    pid: raw.State?.Pid ?? 0,
    cgroupParent: raw.HostConfig?.CgroupParent ?? '',
    memoryLimit: memory > 0 ? memory : null,
    networks,
  };
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A `DockerEngine` on dockerode; every call has a deadline and every failure is a `DockerError`. */
export function createDockerodeEngine(options: DockerodeEngineOptions = {}): DockerEngine {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const docker = options.docker ?? new Dockerode({ ...(options.dockerHost ? dockerOptionsFromHost(options.dockerHost) : {}), timeout: timeoutMs });

  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await withDeadline(timeoutMs, work, { timers: options.timers, timeoutError: () => noAnswer(what, timeoutMs) });
    } catch (error) {
      throw toDockerError(error, what);
    }
  };

  const inspect = async (nameOrId: string): Promise<EngineContainer> =>
    engineContainerFromInspect((await call(`inspecting container ${nameOrId}`, () => docker.getContainer(nameOrId).inspect())) as RawInspect);

  return {
    async info() {
      const raw = (await call('asking the engine for its info', () => docker.info())) as { ServerVersion?: string; CgroupDriver?: string; CgroupVersion?: string };
      const modem = (docker as unknown as { modem: { socketPath?: unknown; host?: unknown } }).modem;
      return {
        serverVersion: raw.ServerVersion ?? 'unknown',
        cgroupDriver: raw.CgroupDriver === 'systemd' ? 'systemd' : 'cgroupfs',
        // Engines before 20.10 do not report CgroupVersion; they only ran on v1.
        cgroupVersion: raw.CgroupVersion === '2' ? 2 : 1,
        local: !modem.host && Boolean(modem.socketPath),
      };
    },
    async listContainers() {
      const listed = await call('listing containers', () => docker.listContainers({ all: true, filters: { status: ['running', 'paused'] } }));
      const inspected = await mapLimited(listed, 8, async (entry) => {
        try {
          return await inspect(entry.Id);
        } catch (error) {
          // Removed between the list and the inspect: it is simply not there any more.
          if (error instanceof DockerError && error.code === 'GOV_DOCKER_NOT_FOUND') return null;
          throw error;
        }
      });
      return inspected.filter((container): container is EngineContainer => container !== null && (container.state === 'running' || container.state === 'paused'));
    },
    inspect,
    async stats(id) {
      return call(`reading stats of ${id.slice(0, 12)}`, () => docker.getContainer(id).stats({ stream: false, 'one-shot': true }));
    },
    async pause(id) {
      await call(`pausing ${id.slice(0, 12)}`, () => docker.getContainer(id).pause());
    },
    async unpause(id) {
      await call(`unpausing ${id.slice(0, 12)}`, () => docker.getContainer(id).unpause());
    },
  };
}
