import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeWithDocker, dockerCli, removeTestObjects, startContainer } from '../../../tools/test-support/docker.js';
import { createDockerodeEngine, type DockerEngine } from './engine.js';
import { createSocketEngine } from './socket-engine.js';

/** A unix-socket proxy to the real engine that records every request line and can cut the event stream. */
async function startCountingProxy(path: string) {
  const requests: string[] = [];
  const eventStreams = new Set<Socket>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const upstream = createConnection('/var/run/docker.sock');
    upstream.on('error', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString('latin1').matchAll(/^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.1\r$/gm)) {
        const path = (match[2] as string).replace(/^\/v[\d.]+\//, '/');
        requests.push(`${match[1]} ${path.split('?')[0]}`);
        if (path.startsWith('/events')) eventStreams.add(client);
      }
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    requests,
    /** Requests made since the last call. */
    take(): string[] {
      return requests.splice(0);
    },
    cutEvents(): void {
      for (const socket of eventStreams) socket.destroy();
      eventStreams.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describeWithDocker('the engine ports on the real engine', () => {
  const run = `gov-en-${Date.now().toString(36)}`;
  const started: string[] = [];
  const networks: string[] = [];
  let dir: string;
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
  let sockets: DockerEngine;
  let ids: string[];

  const start = (suffix: string, extraArgs: string[] = []) => {
    const id = startContainer({ name: `${run}-${suffix}`, command: ['sleep', '3600'], extraArgs });
    started.push(id);
    return id;
  };
  const ours = async (engine: DockerEngine) => (await engine.listContainers()).filter((container) => started.includes(container.id));

  beforeAll(() => {
    ids = [start('a'), start('b'), start('c')];
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-engine-int-'));
    proxy = await startCountingProxy(join(dir, 'engine.sock'));
    sockets = createSocketEngine({ socketPath: join(dir, 'engine.sock') });
  });
  afterEach(async () => {
    sockets.close?.();
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterAll(() => removeTestObjects(started, networks));

  it('lists with one request per listing once it watches the events, instead of one per container', async () => {
    const first = await ours(sockets);
    const firstRequests = proxy.take();
    const second = await ours(sockets);
    expect(first.map((container) => container.id).sort()).toEqual([...ids].sort());
    expect(second).toEqual(first);
    expect(firstRequests.filter((line) => line === 'GET /events')).toEqual(['GET /events']);
    expect(firstRequests.filter((line) => /^GET \/containers\/\w+\/json$/.test(line)).length).toBeGreaterThanOrEqual(3);
    expect(proxy.take()).toEqual(['GET /containers/json']);
  });

  it('sees a restart, a new memory limit, a joined network and a new name at the next listing', async () => {
    const id = ids[0] as string;
    const before = (await ours(sockets)).find((container) => container.id === id);
    const network = `${run}-net`;
    dockerCli(['network', 'create', '--label', 'gov.test=1', network]);
    networks.push(network);
    dockerCli(['restart', '-t', '0', id], 60_000);
    dockerCli(['update', '--memory', '64m', '--memory-swap', '128m', id]);
    dockerCli(['network', 'connect', '--alias', 'search', network, id]);
    dockerCli(['rename', id, `${run}-renamed`]);
    await settle();
    proxy.take();
    const after = (await ours(sockets)).find((container) => container.id === id);
    expect(after?.startedAt).not.toBe(before?.startedAt);
    expect(after?.pid).not.toBe(before?.pid);
    expect([after?.memoryLimit, after?.name]).toEqual([64 * 1024 ** 2, `${run}-renamed`]);
    expect(after?.networks).toContainEqual({ name: network, aliases: ['search'] });
    expect(proxy.take()).toEqual(['GET /containers/json', `GET /containers/${id}/json`]);
  });

  it('inspects everything again when its event stream is cut, then watches anew', async () => {
    await ours(sockets);
    proxy.cutEvents();
    await settle();
    proxy.take();
    await ours(sockets);
    const afterCut = proxy.take();
    expect(afterCut.slice(0, 2)).toEqual(['GET /containers/json', 'GET /events']);
    expect(afterCut.filter((line) => /^GET \/containers\/\w+\/json$/.test(line)).length).toBeGreaterThanOrEqual(3);
    await ours(sockets);
    expect(proxy.take()).toEqual(['GET /containers/json']);
  });

  it('answers as the dockerode engine does, and pauses through dockerode loaded then', async () => {
    const dockerode = createDockerodeEngine({ dockerHost: `unix://${join(dir, 'engine.sock')}` });
    expect(await sockets.info()).toEqual(await dockerode.info());
    const byId = (list: Awaited<ReturnType<typeof ours>>) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(await ours(sockets))).toEqual(byId(await ours(dockerode)));
    const id = ids[1] as string;
    expect(await sockets.inspect(id)).toEqual(await dockerode.inspect(id));
    const stats = (await sockets.stats(id)) as { memory_stats: { usage: number }; cpu_stats: object };
    expect(Object.keys(stats)).toEqual(Object.keys((await dockerode.stats(id)) as object));
    expect(stats.memory_stats.usage).toBeGreaterThan(0);
    await expect(sockets.inspect(`${run}-nope`)).rejects.toMatchObject({ code: 'GOV_DOCKER_NOT_FOUND', statusCode: 404 });
    await expect(dockerode.inspect(`${run}-nope`)).rejects.toMatchObject({ code: 'GOV_DOCKER_NOT_FOUND', statusCode: 404 });

    await sockets.pause(id);
    expect(dockerCli(['inspect', '-f', '{{.State.Status}}', id])).toBe('paused');
    await sockets.unpause(id);
    await dockerode.pause(id);
    expect((await ours(sockets)).find((container) => container.id === id)?.state).toBe('paused');
    await dockerode.unpause(id);
    expect(dockerCli(['inspect', '-f', '{{.State.Status}}', id])).toBe('running');
    await expect(dockerode.unpause(id)).rejects.toMatchObject({ code: 'GOV_DOCKER_API', message: expect.stringMatching(/is not paused/) });
  });
});
