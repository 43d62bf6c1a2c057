import { withDeadline, type Timers } from '@gov/io';
import type Dockerode from 'dockerode';
import type { CgroupDriver } from './cgroup-paths.js';
import { createContainerCache } from './container-cache.js';
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
  /** Releases what the engine keeps open between calls (an event stream); absent when nothing is. */
  close?(): void;
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

export interface RawInspect {
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

/** The engine's answer to `info`, reduced to what sensing needs. */
export function engineInfoFrom(raw: { ServerVersion?: string; CgroupDriver?: string; CgroupVersion?: string }, local: boolean): EngineInfo {
  return {
    serverVersion: raw.ServerVersion ?? 'unknown',
    cgroupDriver: raw.CgroupDriver === 'systemd' ? 'systemd' : 'cgroupfs',
    // Engines before 20.10 do not report CgroupVersion; they only ran on v1.
    cgroupVersion: raw.CgroupVersion === '2' ? 2 : 1,
    local,
  };
}

/** Runs one engine call with its deadline; every failure becomes a `DockerError`. */
export function createEngineCall(timeoutMs: number, timers: Timers | undefined) {
  return async <T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await withDeadline(timeoutMs, work, { timers, timeoutError: () => noAnswer(what, timeoutMs) });
    } catch (error) {
      throw toDockerError(error, what);
    }
  };
}

/** dockerode's constructor, imported on first use (a CommonJS module: its export is `default`). */
async function loadDockerode(): Promise<typeof Dockerode> {
  const loaded = (await import('dockerode')) as unknown as { default?: typeof Dockerode };
  return loaded.default ?? (loaded as unknown as typeof Dockerode);
}

/**
 * A `DockerEngine` on dockerode; every call has a deadline and every failure is a `DockerError`.
 * dockerode (and the transports it loads: ssh2, grpc, protobuf) is imported at the first call,
 * so a program that never reaches it never pays for it. It inspects every listed container on
 * every listing: it has no event stream to tell it when an inspect answer still holds.
 */
export function createDockerodeEngine(options: DockerodeEngineOptions = {}): DockerEngine {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Checked now: a DOCKER_HOST that cannot work is an error of the call that gave it.
  const dockerOptions = options.dockerHost ? dockerOptionsFromHost(options.dockerHost) : {};
  let made: Promise<Dockerode> | undefined;
  const dockerode = () => (made ??= options.docker ? Promise.resolve(options.docker) : loadDockerode().then((Docker) => new Docker({ ...dockerOptions, timeout: timeoutMs })));
  const call = createEngineCall(timeoutMs, options.timers);
  const withDocker = <T>(what: string, work: (docker: Dockerode) => Promise<T>) => call(what, async () => work(await dockerode()));

  const inspect = async (nameOrId: string): Promise<EngineContainer> =>
    engineContainerFromInspect((await withDocker(`inspecting container ${nameOrId}`, (docker) => docker.getContainer(nameOrId).inspect())) as RawInspect);
  const cache = createContainerCache({ inspect });

  return {
    async info() {
      const docker = await call('loading dockerode', dockerode);
      const raw = (await withDocker('asking the engine for its info', (d) => d.info())) as { ServerVersion?: string; CgroupDriver?: string; CgroupVersion?: string };
      const modem = (docker as unknown as { modem: { socketPath?: unknown; host?: unknown } }).modem;
      return engineInfoFrom(raw, !modem.host && Boolean(modem.socketPath));
    },
    async listContainers() {
      const listed = await withDocker('listing containers', (docker) => docker.listContainers({ all: true, filters: { status: ['running', 'paused'] } }));
      const inspected = await cache.describe(listed.map((entry) => ({ id: entry.Id, state: entry.State })));
      return inspected.filter((container) => container.state === 'running' || container.state === 'paused');
    },
    inspect,
    async stats(id) {
      return withDocker(`reading stats of ${id.slice(0, 12)}`, (docker) => docker.getContainer(id).stats({ stream: false, 'one-shot': true }));
    },
    async pause(id) {
      await withDocker(`pausing ${id.slice(0, 12)}`, (docker) => docker.getContainer(id).pause());
    },
    async unpause(id) {
      await withDocker(`unpausing ${id.slice(0, 12)}`, (docker) => docker.getContainer(id).unpause());
    },
  };
}
