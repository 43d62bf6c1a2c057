import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Timers } from '@gov/io';
import { createContainerCache, INVALIDATING_EVENTS } from './container-cache.js';
import { createDockerodeEngine, createEngineCall, engineContainerFromInspect, engineInfoFrom, type DockerEngine, type EngineContainer, type RawInspect } from './engine.js';
import { socketRequest, startSocketRequest } from './socket-request.js';

export interface SocketEngineOptions {
  /** The engine's unix socket, e.g. `/var/run/docker.sock`. */
  socketPath: string;
  /** Deadline of each engine request; default 10 s. */
  timeoutMs?: number;
  timers?: Timers;
  /** Pauses and unpauses; default dockerode on the same socket, loaded at the first pause. */
  pauser?: Pick<DockerEngine, 'pause' | 'unpause'>;
}

const LIST_PATH = `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ status: ['running', 'paused'] }))}`;
const EVENTS_PATH = `/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container', 'network'], event: INVALIDATING_EVENTS }))}`;

const containerPath = (nameOrId: string, what: string) => `/containers/${encodeURIComponent(nameOrId)}/${what}`;

/**
 * The engine calls sensing makes — info, list, inspect, stats, events — as plain HTTP on the
 * engine's unix socket, with no client library: `node:http` is all it loads. Inspect answers are
 * kept while the engine's event stream is connected and says nothing about the container, so a
 * listing costs one request however many containers run. Pausing goes through dockerode
 * (`pauser`), loaded only when something is paused.
 */
export function createSocketEngine(options: SocketEngineOptions): DockerEngine {
  const { socketPath } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const call = createEngineCall(timeoutMs, options.timers);
  const get = (what: string, path: string) => call(what, (signal) => socketRequest(socketPath, 'GET', path, signal));
  const pauser = options.pauser ?? createDockerodeEngine({ dockerHost: `unix://${socketPath}`, timeoutMs, ...(options.timers ? { timers: options.timers } : {}) });

  const inspect = async (nameOrId: string): Promise<EngineContainer> => engineContainerFromInspect((await get(`inspecting container ${nameOrId}`, containerPath(nameOrId, 'json'))) as RawInspect);

  /** Resolves once the engine accepted the subscription; the stream does not keep the process alive. */
  const openEvents = () =>
    call(
      'watching the engine\'s events',
      (signal) =>
        new Promise<Readable>((resolve, reject) => {
          const req = startSocketRequest(socketPath, 'GET', EVENTS_PATH);
          const onAbort = () => req.destroy(new Error('aborted'));
          signal.addEventListener('abort', onAbort, { once: true });
          req.on('socket', (socket) => socket.unref());
          req.on('error', (error) => reject(error));
          req.on('response', (res: IncomingMessage) => {
            signal.removeEventListener('abort', onAbort);
            if (res.statusCode !== 200) {
              res.destroy();
              reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode, json: null }));
              return;
            }
            resolve(res);
          });
          req.end();
        }),
    );
  const cache = createContainerCache({ inspect, openEvents });

  return {
    async info() {
      return engineInfoFrom((await get('asking the engine for its info', '/info')) as Parameters<typeof engineInfoFrom>[0], true);
    },
    async listContainers() {
      const listed = (await get('listing containers', LIST_PATH)) as { Id: string; State: string }[];
      const inspected = await cache.describe(listed.map((entry) => ({ id: entry.Id, state: entry.State })));
      return inspected.filter((container) => container.state === 'running' || container.state === 'paused');
    },
    inspect,
    stats: (id) => get(`reading stats of ${id.slice(0, 12)}`, `${containerPath(id, 'stats')}?stream=false&one-shot=true`),
    pause: (id) => pauser.pause(id),
    unpause: (id) => pauser.unpause(id),
    close: () => cache.close(),
  };
}
