import { homedir } from 'node:os';
import { join } from 'node:path';
import { createReclaimer } from '@gov/reclaimer';
import { createDockerodeEngine } from './engine.js';
import { createPauseExecutor, reconcilePaused, type CgroupReclaimPort, type PauseExecutor } from './pause-executor.js';
import { createPausedStateStore, type StateFs } from './paused-state.js';
import { createContainerSensor, type ContainerSensor, type ContainerSensorOptions } from './sensor.js';

/** Sensing, idle detection and pausing with guards, over one engine and one state file. */
export interface DockerClient extends Omit<ContainerSensor, 'memoryOf'>, PauseExecutor {
  readonly stateFile: string;
}

export interface DockerClientOptions extends Omit<ContainerSensorOptions, 'pausedIds'> {
  /**
   * Reclaims each paused container's memory cgroup — the one part of the client that writes to
   * the kernel, so the caller decides what does: `createReclaimer()` of `@gov/reclaimer` for
   * real reclaims, its dry-run executor, or a fake in tests.
   *
   * @deprecated when absent: the client then builds a `@gov/reclaimer` that writes to the kernel
   * the first time it pauses a container. Pass one; the option becomes required in the next minor.
   */
  reclaimer?: CgroupReclaimPort;
  /** Directory of the state file; default `~/.local/state/gov`. */
  stateDir?: string;
  /** The state file itself; default `<stateDir>/docker-paused.json`. */
  stateFile?: string;
  stateFs?: StateFs;
}

/** What the client falls back to without a `reclaimer`: the kernel-writing `@gov/reclaimer`, built at the first pause. */
function kernelReclaimerOnFirstUse(): CgroupReclaimPort {
  let reclaimer: CgroupReclaimPort | undefined;
  return { reclaim: (request) => (reclaimer ??= createReclaimer()).reclaim(request) };
}

/**
 * A Docker client for gov: a container sensor and a pause executor sharing one engine and one
 * state file of what gov paused. Pausing reclaims each paused container's memory cgroup through
 * the `reclaimer` it is given.
 */
export function createDockerClient(options: DockerClientOptions = {}): DockerClient {
  const engine = options.engine ?? createDockerodeEngine(options);
  const now = options.now ?? Date.now;
  const stateFile = options.stateFile ?? join(options.stateDir ?? join(homedir(), '.local', 'state', 'gov'), 'docker-paused.json');
  const state = createPausedStateStore({ file: stateFile, ...(options.stateFs ? { fs: options.stateFs } : {}) });
  const sensor = createContainerSensor({ ...options, engine, now, pausedIds: (listed) => reconcilePaused(state, listed) });
  const executor = createPauseExecutor({ engine, sensor, reclaimer: options.reclaimer ?? kernelReclaimerOnFirstUse(), state, now });
  const { listContainers, sample, engineInfo, sampler } = sensor;
  return { listContainers, sample, engineInfo, sampler, ...executor, stateFile };
}

/** `createDockerClient`, after checking that the engine answers: throws `GOV_DOCKER_UNAVAILABLE` when it does not. */
export async function connectDocker(options: DockerClientOptions = {}): Promise<DockerClient> {
  const client = createDockerClient(options);
  await client.engineInfo();
  return client;
}
