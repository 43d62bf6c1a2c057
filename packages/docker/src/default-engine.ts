import { createDockerodeEngine, type DockerEngine, type DockerodeEngineOptions } from './engine.js';
import { createSocketEngine } from './socket-engine.js';

/** The engine's socket when neither `dockerHost` nor `DOCKER_HOST` names one (outside Windows). */
export const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * The engine `@gov/docker` talks to by default: `dockerHost`, else `DOCKER_HOST`, else the
 * default socket. A unix socket gets the light socket engine for sensing (dockerode only for
 * pausing); every other transport (tcp, ssh, a Windows named pipe) or a given dockerode
 * instance gets dockerode.
 */
export function createDefaultEngine(options: DockerodeEngineOptions): DockerEngine {
  if (options.docker) return createDockerodeEngine(options);
  // DOCKER_HOST is read here, as dockerode itself would read it.
  const host = options.dockerHost ?? process.env['DOCKER_HOST'] ?? (process.platform === 'win32' ? undefined : `unix://${DEFAULT_SOCKET}`);
  if (host === undefined || !host.startsWith('unix://')) return createDockerodeEngine({ ...options, ...(host === undefined ? {} : { dockerHost: host }) });
  const socketPath = host.slice('unix://'.length) || DEFAULT_SOCKET;
  return createSocketEngine({ socketPath, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.timers ? { timers: options.timers } : {}) });
}
