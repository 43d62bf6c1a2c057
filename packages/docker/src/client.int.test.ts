import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReclaimer } from '@gov/reclaimer';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { describeWithDocker, dockerCli, removeTestObjects, startContainer } from '../../../tools/test-support/docker.js';
import { createDockerClient, type DockerClient } from './client.js';

const MIB = 1024 ** 2;

// `docker stats` prints binary units: 64.59MiB, 592KiB, 1.2GiB.
function parseDockerSize(text: string): number {
  const match = /^([\d.]+)\s*(B|KiB|MiB|GiB|TiB|kB|MB|GB)$/.exec(text.trim());
  if (!match) throw new Error(`not a docker size: ${text}`);
  const factors: Record<string, number> = { B: 1, KiB: 1024, MiB: MIB, GiB: 1024 ** 3, TiB: 1024 ** 4, kB: 1000, MB: 1e6, GB: 1e9 };
  return Number(match[1]) * (factors[match[2] as string] as number);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, attempts = 60): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A unix-socket proxy to the engine that the test can close, as if the engine had stopped. */
async function startEngineProxy(path: string, mode: 'forward' | 'silent' = 'forward') {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (mode === 'silent') return;
    const upstream = createConnection('/var/run/docker.sock');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeWithDocker('@gov/docker on the real engine', () => {
  const run = `gov-dk-${Date.now().toString(36)}`;
  const started: string[] = [];
  const networks: string[] = [];
  let stateDir: string;
  let client: DockerClient;

  const start = (suffix: string, command: string[], options: { labels?: Record<string, string>; extraArgs?: string[] } = {}) => {
    const id = startContainer({ name: `${run}-${suffix}`, command, ...options });
    started.push(id);
    return id;
  };
  const sleeper = ['sleep', '3600'];
  const burner = ['sh', '-c', 'while :; do :; done'];
  const stateOf = (id: string) => dockerCli(['inspect', '-f', '{{.State.Status}}', id]);

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'gov-docker-int-'));
    // The one part that writes to the kernel: memory.reclaim of each container gov pauses.
    client = createDockerClient({ stateDir, reclaimer: createReclaimer() });
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });
  afterAll(() => removeTestObjects(started, networks));

  it('lists running containers with compose labels, cgroup location and readings from the cgroup files', async () => {
    const labels = { 'com.docker.compose.project': run, 'com.docker.compose.service': 'web', 'com.docker.compose.depends_on': 'db:service_started:false' };
    const id = start('list', sleeper, { labels });
    const info = await client.engineInfo();
    const listed = (await client.listContainers()).find((c) => c.id === id);
    const expectedPath = info.cgroupDriver === 'systemd' ? `system.slice/docker-${id}.scope` : `docker/${id}`;
    expect(listed).toMatchObject({
      id,
      name: `${run}-list`,
      image: 'gov/busybox:test',
      state: 'running',
      labels: { ...labels, 'gov.test': '1' },
      compose: { project: run, service: 'web' },
      dependsOn: ['db'],
      cgroup: { version: info.cgroupVersion, path: expectedPath },
      source: 'cgroup',
      pausedByGov: false,
      idleForMs: 0,
    });
    expect(listed?.memory?.usage).toBeGreaterThan(0);
    expect(listed?.cpu?.usageNs).toBeGreaterThan(0);
  });

  it('measures the same memory as docker stats, within a few percent', async () => {
    // 64 MiB in a tmpfs: charged to the container as shared memory, which no cache drop can take.
    const id = start('stats', ['sh', '-c', 'dd if=/dev/zero of=/shm/fill bs=1M count=64 2>/dev/null && touch /shm/done && sleep 3600'], { extraArgs: ['--tmpfs', '/shm:size=96m'] });
    await until('the tmpfs to fill', () => {
      try {
        dockerCli(['exec', id, 'test', '-f', '/shm/done']);
        return true;
      } catch {
        return undefined;
      }
    });
    const theirs = parseDockerSize(dockerCli(['stats', '--no-stream', '--format', '{{.MemUsage}}', id], 30_000).split(' / ')[0] as string);
    const ours = (await client.listContainers()).find((c) => c.id === id)?.memory;
    expect(theirs).toBeGreaterThan(64 * MIB);
    expect(ours?.shmem).toBeGreaterThanOrEqual(64 * MIB);
    expect(Math.abs((ours?.workingSet ?? 0) - theirs) / theirs).toBeLessThan(0.05);
  });

  it('finds a sleeping container idle and a CPU-burning one not, and a restart starts over', async () => {
    const sleeping = start('sleeping', sleeper);
    const burning = start('burning', burner);
    const progress: number[] = [];
    const containers = await client.sample({ durationMs: 4000, intervalMs: 1000, onProgress: (p) => progress.push(p.samples) });
    const bySleeping = containers.find((c) => c.id === sleeping);
    const byBurning = containers.find((c) => c.id === burning);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(bySleeping?.cpu?.percent).toBeLessThan(1);
    expect(bySleeping?.idleForMs).toBeGreaterThanOrEqual(3000);
    expect(client.sampler.isIdle(sleeping, 3000)).toBe(true);
    expect(byBurning?.cpu?.percent).toBeGreaterThanOrEqual(1);
    expect(byBurning?.idleForMs).toBe(0);
    expect(client.sampler.isIdle(burning, 1000)).toBe(false);

    // A restart starts the window over, however quiet the container was before.
    dockerCli(['restart', '-t', '0', sleeping], 60_000);
    const restarted = (await client.listContainers()).find((c) => c.id === sleeping);
    expect([restarted?.idleForMs, restarted?.cpu?.percent, client.sampler.isIdle(sleeping, 1)]).toEqual([0, null, false]);
  });

  it('proves every guard, in order, on real containers', async () => {
    const network = `${run}-net`;
    dockerCli(['network', 'create', '--label', 'gov.test=1', network]);
    networks.push(network);
    const compose = (service: string, dependsOn?: string) => ({
      'com.docker.compose.project': run,
      'com.docker.compose.service': service,
      ...(dependsOn ? { 'com.docker.compose.depends_on': `${dependsOn}:service_started:false` } : {}),
    });
    start('g-never', sleeper, { labels: { 'gov.pause': 'never' } });
    start('g-denied', sleeper);
    start('g-outside', sleeper);
    start('g-api', burner, { labels: compose('api', 'db') });
    start('g-db', sleeper, { labels: compose('db') });
    start('g-client', burner, { extraArgs: ['--network', network] });
    start('g-search', sleeper, { extraArgs: ['--network', network, '--network-alias', 'search'] });
    const big = start('g-big', ['sh', '-c', 'dd if=/dev/zero of=/shm/fill bs=1M count=16 2>/dev/null; sleep 3600'], { extraArgs: ['--tmpfs', '/shm:size=32m'] });
    const small = start('g-small', sleeper);
    await client.sample({ durationMs: 3000, intervalMs: 1000 });
    const confirmed: string[][] = [];
    const result = await client.pauseIdle({
      idleForMs: 2000,
      allow: [`${run}-g-n*`, `${run}-g-d*`, `${run}-g-a*`, `${run}-g-c*`, `${run}-g-s*`, `${run}-g-b*`],
      deny: [`${run}-g-den*`],
      maxPausesPerTick: 1,
      confirm: (containers) => (confirmed.push(containers.map((c) => c.name)), true),
    });
    const ours = result.containers.filter((c) => c.name.startsWith(`${run}-g-`)).map((c) => [c.name.slice(run.length + 3), c.action, c.guard]);
    expect(ours).toEqual([
      ['api', 'skipped', 'not-idle'],
      ['big', 'paused', null],
      ['client', 'skipped', 'not-idle'],
      ['db', 'skipped', 'dependency'],
      ['denied', 'skipped', 'deny'],
      ['never', 'skipped', 'label'],
      ['outside', 'skipped', 'allow'],
      ['search', 'skipped', 'dependency'],
      ['small', 'skipped', 'max-pauses'],
    ]);
    expect(confirmed).toEqual([[`${run}-g-big`]]);
    expect(result.containers.find((c) => c.name === `${run}-g-search`)?.reason).toBe(`its network alias "search" on network ${network} is reachable by running container ${run}-g-client`);
    expect(result.containers.find((c) => c.name === `${run}-g-db`)?.reason).toBe(`running container ${run}-g-api depends on its compose service "db"`);
    expect([stateOf(big), stateOf(small)]).toEqual(['paused', 'running']);
    expect((await client.unpauseAll()).unpaused).toEqual([`${run}-g-big`]);
  });

  it('pauses an idle container, reclaims the cache it built, and unpause brings it back', async () => {
    const name = `${run}-cache`;
    const id = start('cache', ['sh', '-c', 'dd if=/dev/zero of=/blob bs=1M count=64 2>/dev/null && touch /done && while :; do sleep 1; echo tick >/dev/null; done']);
    await until('the container to write its file', () => {
      try {
        dockerCli(['exec', id, 'test', '-f', '/done']);
        return true;
      } catch {
        return undefined;
      }
    });
    // The cache the container built is charged to its cgroup.
    const built = await until('the page cache to show in the cgroup', async () => {
      const memory = (await client.listContainers()).find((c) => c.id === id)?.memory;
      if (memory && memory.cache >= 48 * MIB) return memory.cache;
      // Someone dropped caches meanwhile: read the file again so its cache is charged once more.
      dockerCli(['exec', id, 'sh', '-c', 'cat /blob >/dev/null']);
      return undefined;
    }, 10);
    expect(built).toBeGreaterThanOrEqual(48 * MIB);
    await client.sample({ durationMs: 2000, intervalMs: 1000 });
    const result = await client.pauseIdle({ idleForMs: 1500, allow: [name], confirm: () => true });
    const decision = result.containers.find((c) => c.id === id);
    expect([decision?.action, decision?.reclaim?.status, stateOf(id)]).toEqual(['paused', 'ok', 'paused']);
    // Others may drop caches at the same time, which can only make the container's cache smaller.
    expect(decision?.memoryAfter?.cache).toBeLessThan(8 * MIB);
    expect(decision?.freedBytes).toBe(Math.max(0, (decision?.memoryBefore?.usage ?? 0) - (decision?.memoryAfter?.usage ?? 0)));
    expect(result.freedBytes).toBe(decision?.freedBytes);
    const state = JSON.parse(await readFile(client.stateFile, 'utf8')) as { containers: { id: string; name: string; freedBytes: number }[] };
    expect(state.containers.map((c) => [c.id, c.name, c.freedBytes])).toEqual([[id, name, decision?.freedBytes]]);

    // A container the user paused is not gov's to resume.
    const theirs = start('theirs', sleeper);
    dockerCli(['pause', theirs]);
    expect(await client.unpauseAll()).toEqual({ unpaused: [name], forgotten: [], failed: [] });
    expect([stateOf(id), stateOf(theirs)]).toEqual(['running', 'paused']);
    expect(dockerCli(['exec', id, 'cat', '/done'])).toBe('');
    expect(await client.pausedByGov()).toEqual([]);
    dockerCli(['unpause', theirs]);
  });

  it('forgets a container that someone else unpaused', async () => {
    const name = `${run}-elsewhere`;
    const id = start('elsewhere', sleeper);
    await client.sample({ durationMs: 2000, intervalMs: 1000 });
    expect((await client.pauseIdle({ idleForMs: 1000, allow: [name], confirm: () => true })).paused).toEqual([name]);
    expect((await client.pausedByGov()).map((r) => r.id)).toEqual([id]);
    dockerCli(['unpause', id]);
    expect(await client.pausedByGov()).toEqual([]);
    expect(await client.unpauseAll()).toEqual({ unpaused: [], forgotten: [], failed: [] });
    expect(await client.unpause(name)).toEqual({ id, name, action: 'not-paused', pausedByGov: false });
  });

  it('turns an engine that stops mid-run into GOV_DOCKER_UNAVAILABLE', async () => {
    const socket = join(stateDir, 'engine.sock');
    const proxy = await startEngineProxy(socket);
    const viaProxy = createDockerClient({ dockerHost: `unix://${socket}`, stateDir, timeoutMs: 5000, reclaimer: createReclaimer() });
    start('gone', sleeper);
    const sampling = viaProxy.sample({
      durationMs: 20_000,
      intervalMs: 500,
      onProgress: (progress) => {
        if (progress.samples === 2) void proxy.close();
      },
    });
    await expect(sampling).rejects.toMatchObject({ name: 'DockerError', code: 'GOV_DOCKER_UNAVAILABLE' });
    await expect(viaProxy.listContainers()).rejects.toMatchObject({ code: 'GOV_DOCKER_UNAVAILABLE', message: expect.stringMatching(/^listing containers: the Docker engine is unavailable/) });
  });

  it('turns an engine that stops answering into GOV_DOCKER_UNAVAILABLE after the timeout', async () => {
    const socket = join(stateDir, 'silent.sock');
    const proxy = await startEngineProxy(socket, 'silent');
    try {
      const client2 = createDockerClient({ dockerHost: `unix://${socket}`, stateDir, timeoutMs: 1000, reclaimer: createReclaimer() });
      await expect(client2.listContainers()).rejects.toMatchObject({ code: 'GOV_DOCKER_UNAVAILABLE', timedOut: true, message: 'asking the engine for its info: no answer within 1000 ms' });
    } finally {
      await proxy.close();
    }
  });
});

