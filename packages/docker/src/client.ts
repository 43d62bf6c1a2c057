import { homedir } from 'node:os';
import { join } from 'node:path';
import { createDefaultEngine } from './default-engine.js';
import type { DockerEngine } from './engine.js';
import { DockerError } from './errors.js';
import type { CgroupReclaimPort } from './cgroup-cache.js';
import { createPauseExecutor, reconcilePaused, type PauseExecutor } from './pause-executor.js';
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
   */
  reclaimer: CgroupReclaimPort;
  /** Directory of the state file; default `~/.local/state/gov`. */
  stateDir?: string;
  /** The state file itself; default `<stateDir>/docker-paused.json`. */
  stateFile?: string;
  stateFs?: StateFs;
}

/**
 * A Docker client for gov: a container sensor and a pause executor sharing one engine and one
 * state file of what gov paused. Pausing reclaims each paused container's memory cgroup through
 * the `reclaimer` it is given.
 */
export function createDockerClient(options: DockerClientOptions): DockerClient {
  // JavaScript callers get no compiler to tell them; nothing may quietly write to the kernel.
  if (typeof options?.reclaimer?.reclaim !== 'function') {
    throw new DockerError('createDockerClient needs a reclaimer: createReclaimer() of @gov/reclaimer, its dry-run executor, or your own { reclaim }', { code: 'GOV_DOCKER_INVALID_OPTION' });
  }
  const ownEngine = options.engine ? null : createDefaultEngine(options);
  const engine = options.engine ?? (ownEngine as DockerEngine);
  const now = options.now ?? Date.now;
  const stateFile = options.stateFile ?? join(options.stateDir ?? join(homedir(), '.local', 'state', 'gov'), 'docker-paused.json');
  const state = createPausedStateStore({ file: stateFile, ...(options.stateFs ? { fs: options.stateFs } : {}) });
  const sensor = createContainerSensor({ ...options, engine, now, pausedIds: (listed) => reconcilePaused(state, listed) });
  const executor = createPauseExecutor({ engine, sensor, reclaimer: options.reclaimer, state, now });
  const { listContainers, sample, engineInfo, sampler } = sensor;
  return { listContainers, sample, engineInfo, sampler, ...executor, stateFile, close: () => ownEngine?.close?.() };
}

/** `createDockerClient`, after checking that the engine answers: throws `GOV_DOCKER_UNAVAILABLE` when it does not. */
export async function connectDocker(options: DockerClientOptions): Promise<DockerClient> {
  const client = createDockerClient(options);
  await client.engineInfo();
  return client;
}
