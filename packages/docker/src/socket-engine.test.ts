import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSocketEngine } from './socket-engine.js';
import { MAX_ANSWER_BYTES } from './socket-request.js';

/** A stand-in engine on a unix socket, answering what each test says; it records the requests. */
async function startFakeEngine(path: string, answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('createSocketEngine on a stand-in engine', () => {
  let dir: string;
  let socketPath: string;
  let engine: { close(): Promise<void>; requests: string[] } | null = null;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-socket-engine-'));
    socketPath = join(dir, 'engine.sock');
  });
  afterEach(async () => {
    await engine?.close();
    engine = null;
    await rm(dir, { recursive: true, force: true });
  });

  it('asks for the engine info and reads what sensing needs; the socket is local', async () => {
    engine = await startFakeEngine(socketPath, (_req, res) => json(res, 200, { ServerVersion: '27.1.0', CgroupDriver: 'systemd', CgroupVersion: '2', Containers: 4 }));
    expect(await createSocketEngine({ socketPath }).info()).toEqual({ serverVersion: '27.1.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: true });
    expect(engine.requests).toEqual(['GET /info']);
  });

  it('turns an engine error into the DockerError a caller acts on, with the engine message', async () => {
    engine = await startFakeEngine(socketPath, (req, res) =>
      req.url?.startsWith('/containers/nope') ? json(res, 404, { message: 'No such container: nope' }) : json(res, 500, { message: 'boom' }),
    );
    const sockets = createSocketEngine({ socketPath });
    await expect(sockets.inspect('nope')).rejects.toMatchObject({ name: 'DockerError', code: 'GOV_DOCKER_NOT_FOUND', statusCode: 404, message: 'inspecting container nope: No such container: nope' });
    await expect(sockets.stats('a'.repeat(64))).rejects.toMatchObject({ code: 'GOV_DOCKER_API', statusCode: 500, message: 'reading stats of aaaaaaaaaaaa: boom' });
  });

  it('encodes a name so it cannot reach another path', async () => {
    engine = await startFakeEngine(socketPath, (_req, res) => json(res, 404, { message: 'No such container' }));
    await createSocketEngine({ socketPath }).inspect('../../info?x=1').catch(() => undefined);
    expect(engine.requests).toEqual(['GET /containers/..%2F..%2Finfo%3Fx%3D1/json']);
  });

  it('refuses an answer that is not JSON, and one over the size cap, without growing without bound', async () => {
    engine = await startFakeEngine(socketPath, (req, res) => {
      if (req.url === '/info') {
        res.writeHead(200);
        res.end('<html>');
        return;
      }
      res.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent <= MAX_ANSWER_BYTES + chunk.length) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    const sockets = createSocketEngine({ socketPath });
    await expect(sockets.info()).rejects.toMatchObject({ code: 'GOV_DOCKER_API', message: 'asking the engine for its info: the engine answered with something that is not JSON' });
    await expect(sockets.stats('b'.repeat(64))).rejects.toMatchObject({ code: 'GOV_DOCKER_API', message: expect.stringContaining(`the engine's answer is over ${MAX_ANSWER_BYTES} bytes`) });
  });

  it('is unavailable when nothing listens, when the answer is cut, and when it does not come in time', async () => {
    await expect(createSocketEngine({ socketPath }).info()).rejects.toMatchObject({ code: 'GOV_DOCKER_UNAVAILABLE', message: expect.stringMatching(/^asking the engine for its info: the Docker engine is unavailable \(ENOENT\)/) });
    engine = await startFakeEngine(socketPath, (req, res) => {
      if (req.url === '/info') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"Server');
        setTimeout(() => res.destroy(), 20);
      }
      // Anything else: never answered.
    });
    await expect(createSocketEngine({ socketPath }).info()).rejects.toMatchObject({ code: 'GOV_DOCKER_UNAVAILABLE' });
    await expect(createSocketEngine({ socketPath, timeoutMs: 200 }).stats('c'.repeat(64))).rejects.toMatchObject({ code: 'GOV_DOCKER_UNAVAILABLE', timedOut: true, message: 'reading stats of cccccccccccc: no answer within 200 ms' });
  });

  it('lists through one request while its event stream is up, and pauses through the pauser it is given', async () => {
    const inspect = (id: string) => ({ Id: id, Name: `/c-${id}`, Config: { Image: 'img', Labels: {} }, State: { Status: 'running', StartedAt: 's', Pid: 7 }, HostConfig: {}, NetworkSettings: { Networks: {} } });
    engine = await startFakeEngine(socketPath, (req, res) => {
      if (req.url?.startsWith('/events')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        return;
      }
      if (req.url?.startsWith('/containers/json')) return json(res, 200, [{ Id: 'a', State: 'running' }, { Id: 'b', State: 'running' }]);
      const id = /^\/containers\/(\w+)\/json$/.exec(req.url ?? '')?.[1] ?? '';
      json(res, 200, inspect(id));
    });
    const paused: string[] = [];
    const sockets = createSocketEngine({ socketPath, pauser: { pause: async (id) => void paused.push(id), unpause: async () => undefined } });
    const first = await sockets.listContainers();
    const second = await sockets.listContainers();
    await sockets.pause('a');
    sockets.close?.();
    expect(second).toEqual(first);
    expect(first.map((container) => [container.id, container.name, container.pid])).toEqual([['a', 'c-a', 7], ['b', 'c-b', 7]]);
    expect(paused).toEqual(['a']);
    const events = '/events?filters=%7B%22type%22%3A%5B%22container%22%2C%22network%22%5D%2C%22event%22%3A%5B%22start%22%2C%22restart%22%2C%22die%22%2C%22stop%22%2C%22kill%22%2C%22oom%22%2C%22pause%22%2C%22unpause%22%2C%22update%22%2C%22rename%22%2C%22destroy%22%2C%22connect%22%2C%22disconnect%22%5D%7D';
    const list = '/containers/json?all=1&filters=%7B%22status%22%3A%5B%22running%22%2C%22paused%22%5D%7D';
    expect(engine.requests).toEqual([`GET ${list}`, `GET ${events}`, 'GET /containers/a/json', 'GET /containers/b/json', `GET ${list}`]);
  });
});
