import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, DB, engineContainer, MIB, v2Machine as v2MachineIn, WEB, writeFiles } from '../test/fake-engine.js';
import { createDockerClient, type DockerClientOptions } from './client.js';
import type { DockerEngine, EngineContainer } from './engine.js';
import { DockerError } from './errors.js';
import type { CgroupReclaimPort } from './cgroup-cache.js';

let dir: string;
let clockMs: number;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-docker-client-'));
  clockMs = Date.parse('2026-11-22T02:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const v2Machine = () => v2MachineIn(dir);

/** For the tests that pause nothing: reaching it is a failure. */
const noReclaimer: CgroupReclaimPort = {
  reclaim: async (request) => Promise.reject(new Error(`this test reclaims nothing, yet ${request.cgroup} was asked for`)),
};

function options(engine: DockerEngine, extra: Partial<DockerClientOptions> = {}): DockerClientOptions {
  return { engine, procRoot: join(dir, 'proc'), stateDir: join(dir, 'state'), now: () => clockMs, reclaimer: noReclaimer, ...extra };
}

describe('listContainers', () => {
  it('reads memory and CPU from the systemd-driver cgroup on v2 and computes CPU percent between samples', async () => {
    const machine = await v2Machine();
    await machine.setMemory(WEB, 64 * MIB, 48 * MIB, 1_000_000);
    const labels = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', 'com.docker.compose.depends_on': 'db:service_started:false' };
    const { engine } = createFakeEngine({ serverVersion: '27.0.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: true }, [engineContainer(WEB, 'shop-web-1', { labels })]);
    const client = createDockerClient(options(engine));
    const [first] = await client.listContainers();
    expect(first).toEqual({
      id: WEB,
      name: 'shop-web-1',
      image: 'gov/busybox:test',
      state: 'running',
      labels,
      compose: { project: 'shop', service: 'web' },
      dependsOn: ['db'],
      networks: [{ name: 'bridge', aliases: [] }],
      startedAt: '2026-11-22T01:00:00Z',
      memory: { usage: 64 * MIB, workingSet: 40 * MIB, cache: 48 * MIB, anon: 16 * MIB, shmem: 0, limit: null },
      cpu: { usageNs: 1_000_000_000, percent: null },
      idleForMs: 0,
      cgroup: { version: 2, path: `system.slice/docker-${WEB}.scope`, memoryDir: machine.scope(WEB), cpuDir: machine.scope(WEB) },
      source: 'cgroup',
      pausedByGov: false,
    });
    // 500 ms of CPU over 2 s: 25 % of one core.
    clockMs += 2000;
    await machine.setMemory(WEB, 64 * MIB, 48 * MIB, 1_500_000);
    const [second] = await client.listContainers();
    expect([second?.cpu, second?.idleForMs]).toEqual([{ usageNs: 1_500_000_000, percent: 25 }, 0]);
  });

  it('reads the cgroupfs layout on v1 with cpuacct mounted apart from memory', async () => {
    const memory = join(dir, 'memory');
    const cpuacct = join(dir, 'cpuacct');
    await writeFiles(join(dir, 'proc', 'self'), {
      mountinfo: `35 31 0:32 / ${memory} rw - cgroup cgroup rw,memory\n33 31 0:30 / ${cpuacct} rw - cgroup cgroup rw,cpuacct\n`,
    });
    await writeFiles(join(memory, 'docker', DB), {
      'memory.usage_in_bytes': '872448\n',
      'memory.limit_in_bytes': '9223372036854771712\n',
      'memory.stat': 'cache 0\nrss 53248\ntotal_cache 4096\ntotal_rss 53248\ntotal_shmem 0\ntotal_inactive_file 4096\n',
    });
    await writeFiles(join(cpuacct, 'docker', DB), { 'cpuacct.usage': '32846198\n' });
    const { engine } = createFakeEngine({ serverVersion: '20.10.24', cgroupDriver: 'cgroupfs', cgroupVersion: 1, local: true }, [engineContainer(DB, 'db')]);
    const [db] = await createDockerClient(options(engine)).listContainers();
    expect([db?.memory, db?.cpu, db?.cgroup, db?.source]).toEqual([
      { usage: 872_448, workingSet: 868_352, cache: 4096, anon: 53_248, shmem: 0, limit: null },
      { usageNs: 32_846_198, percent: null },
      { version: 1, path: `docker/${DB}`, memoryDir: join(memory, 'docker', DB), cpuDir: join(cpuacct, 'docker', DB) },
      'cgroup',
    ]);
  });

  it('finds a cgroup the driver rule does not predict through /proc/<pid>/cgroup', async () => {
    const machine = await v2Machine();
    const rootless = join(machine.cg, 'user.slice', `docker-${WEB}.scope`);
    await writeFiles(rootless, { 'memory.current': '100\n', 'memory.max': '4096\n', 'memory.stat': 'anon 100\nfile 0\n', 'cpu.stat': 'usage_usec 7\n' });
    await writeFiles(join(dir, 'proc', '4242'), { cgroup: `0::/user.slice/docker-${WEB}.scope\n` });
    const { engine } = createFakeEngine({ serverVersion: '27.0.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: true }, [engineContainer(WEB, 'web', { pid: 4242 })]);
    const [web] = await createDockerClient(options(engine)).listContainers();
    expect([web?.cgroup?.path, web?.memory?.limit, web?.cpu?.usageNs, web?.source]).toEqual([`user.slice/docker-${WEB}.scope`, 4096, 7000, 'cgroup']);
  });

  it('falls back to the stats API where the files are missing, and uses only the API for a remote engine', async () => {
    await v2Machine();
    const stats = { [WEB]: { cpu_stats: { cpu_usage: { total_usage: 5 } }, memory_stats: { usage: 2048, stats: { file: 1024, anon: 1024, inactive_file: 0 } } } };
    const local = createFakeEngine({ serverVersion: '27.0.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: true }, [engineContainer(WEB, 'web', { memoryLimit: 1 * MIB })], stats);
    const [web] = await createDockerClient(options(local.engine)).listContainers();
    expect([web?.memory, web?.source, web?.cgroup?.path, local.calls]).toEqual([
      { usage: 2048, workingSet: 2048, cache: 1024, anon: 1024, shmem: 0, limit: MIB },
      'api',
      `system.slice/docker-${WEB}.scope`,
      [`stats aaaa`],
    ]);
    const remote = createFakeEngine({ serverVersion: '27.0.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: false }, [engineContainer(WEB, 'web')], stats);
    const [far] = await createDockerClient(options(remote.engine)).listContainers();
    expect([far?.source, far?.cgroup]).toEqual(['api', null]);
  });

  it('reports a container neither source can read, and fails whole only when the engine is gone', async () => {
    const { engine } = createFakeEngine({ serverVersion: '27.0.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: false }, [engineContainer(WEB, 'web')], {});
    const [web] = await createDockerClient(options(engine)).listContainers();
    expect([web?.memory, web?.source, web?.error]).toEqual([null, null, { code: 'GOV_DOCKER_API', message: 'the stats API answered without memory_stats.usage or cpu_stats.cpu_usage.total_usage' }]);
    const gone: DockerEngine = { ...engine, listContainers: async () => Promise.reject(new DockerError('listing containers: the Docker engine is unavailable (ECONNREFUSED)', { code: 'GOV_DOCKER_UNAVAILABLE' })) };
    await expect(createDockerClient(options(gone)).listContainers()).rejects.toMatchObject({ code: 'GOV_DOCKER_UNAVAILABLE' });
  });
});

describe('pauseIdle, unpause, unpauseAll', () => {
  async function setup(containers: EngineContainer[]) {
    const machine = await v2Machine();
    for (const c of containers) await machine.setMemory(c.id, 64 * MIB, 48 * MIB, 1000);
    const fake = createFakeEngine({ serverVersion: '27.0.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: true }, containers);
    const requests: unknown[] = [];
    // Reclaiming drops the container's page cache, as memory.reclaim does.
    const reclaimer: CgroupReclaimPort = {
      async reclaim(request) {
        requests.push(request);
        const id = /docker-([0-9a-f]{64})\.scope/.exec(request.cgroup)?.[1] as string;
        await machine.setMemory(id, 16 * MIB, 0, 1000);
        return { steps: [{ name: 'cgroup_reclaim', status: 'ok', detail: `write "${request.targetBytes}" to memory.reclaim` }] };
      },
    };
    const client = createDockerClient(options(fake.engine, { reclaimer }));
    // Two samples 10 s apart with no CPU used: every container is idle for 10 s.
    await client.listContainers();
    clockMs += 10_000;
    return { client, fake, requests, machine };
  }

  it('pauses idle containers after confirmation, reclaims their cgroup and records what left', async () => {
    const { client, fake, requests } = await setup([engineContainer(WEB, 'web'), engineContainer(DB, 'db', { labels: { 'gov.pause': 'never' } })]);
    const asked: string[][] = [];
    const result = await client.pauseIdle({ idleForMs: 10_000, confirm: (containers) => (asked.push(containers.map((c) => c.name)), true) });
    expect(asked).toEqual([['web']]);
    expect(fake.calls).toEqual(['pause aaaa']);
    expect(requests).toEqual([{ method: 'cgroup_reclaim', cgroup: `system.slice/docker-${WEB}.scope`, targetBytes: 48 * MIB }]);
    expect(result).toEqual({
      dryRun: false,
      idleForMs: 10_000,
      confirmed: true,
      paused: ['web'],
      wouldPause: [],
      freedBytes: 48 * MIB,
      containers: [
        expect.objectContaining({ name: 'db', action: 'skipped', guard: 'label', reason: 'it is labelled gov.pause=never', freedBytes: 0, reclaim: null }),
        {
          id: WEB,
          name: 'web',
          action: 'paused',
          guard: null,
          reason: 'idle for 10 s',
          memoryBefore: { usage: 64 * MIB, workingSet: 40 * MIB, cache: 48 * MIB, anon: 16 * MIB, shmem: 0, limit: null },
          memoryAfter: { usage: 16 * MIB, workingSet: 16 * MIB, cache: 0, anon: 16 * MIB, shmem: 0, limit: null },
          freedBytes: 48 * MIB,
          reclaim: { status: 'ok', targetBytes: 48 * MIB, detail: `write "${48 * MIB}" to memory.reclaim` },
        },
      ],
    });
    expect(JSON.parse(await readFile(client.stateFile, 'utf8'))).toEqual({
      version: 1,
      containers: [{ id: WEB, name: 'web', pausedAt: '2026-11-22T02:00:10.000Z', freedBytes: 48 * MIB }],
    });
    const [, web] = await client.listContainers();
    expect([web?.state, web?.pausedByGov]).toEqual(['paused', true]);
  });

  it('pauses nothing without a confirm that says yes, and asks nothing in a dry run', async () => {
    const { client, fake } = await setup([engineContainer(WEB, 'web')]);
    const refused = await client.pauseIdle({ idleForMs: 5000, confirm: async () => false });
    expect([refused.confirmed, refused.paused, refused.containers.map((c) => [c.action, c.guard, c.reason])]).toEqual([false, [], [['skipped', 'not-confirmed', 'pausing was not confirmed']]]);
    const unasked = await client.pauseIdle({ idleForMs: 5000 });
    expect([unasked.confirmed, unasked.paused]).toEqual([false, []]);
    let asked = false;
    const dry = await client.pauseIdle({ idleForMs: 5000, dryRun: true, confirm: () => (asked = true) });
    expect([dry.dryRun, dry.confirmed, dry.wouldPause, asked, fake.calls]).toEqual([true, null, ['web'], false, []]);
  });

  it('does not pause a container that has not been idle for the whole window', async () => {
    const { client, fake } = await setup([engineContainer(WEB, 'web')]);
    const result = await client.pauseIdle({ idleForMs: 60_000, confirm: () => true });
    expect([result.confirmed, result.containers.map((c) => c.guard), fake.calls]).toEqual([null, ['not-idle'], []]);
  });

  it('resumes only what gov paused, and forgets containers unpaused elsewhere or removed', async () => {
    const third = 'c'.repeat(64);
    const { client, fake } = await setup([engineContainer(WEB, 'web'), engineContainer(DB, 'db'), engineContainer(third, 'worker')]);
    await client.pauseIdle({ idleForMs: 10_000, confirm: () => true, maxPausesPerTick: 10 });
    expect((await client.pausedByGov()).map((r) => r.name).sort()).toEqual(['db', 'web', 'worker']);
    // Someone else: resumes db by hand, removes worker, and pauses a container of their own.
    const mine = 'd'.repeat(64);
    (fake.containers.find((c) => c.id === DB) as EngineContainer).state = 'running';
    fake.containers.splice(fake.containers.findIndex((c) => c.id === third), 1);
    fake.containers.push(engineContainer(mine, 'theirs', { state: 'paused' }));
    fake.calls.length = 0;
    expect(await client.unpauseAll()).toEqual({ unpaused: ['web'], forgotten: [{ name: 'db', reason: 'unpaused-elsewhere' }, { name: 'worker', reason: 'gone' }], failed: [] });
    expect(fake.calls).toEqual(['unpause aaaa']);
    expect([fake.containers.find((c) => c.id === mine)?.state, await client.pausedByGov()]).toEqual(['paused', []]);
  });

  it('forgets a container unpaused by someone else as soon as it is listed running', async () => {
    const { client, fake } = await setup([engineContainer(WEB, 'web')]);
    await client.pauseIdle({ idleForMs: 10_000, confirm: () => true });
    (fake.containers[0] as EngineContainer).state = 'running';
    await client.listContainers();
    expect(JSON.parse(await readFile(client.stateFile, 'utf8'))).toEqual({ version: 1, containers: [] });
  });

  it('unpauses one container by name and says whether gov had paused it', async () => {
    const { client } = await setup([engineContainer(WEB, 'web'), engineContainer(DB, 'db', { state: 'paused' })]);
    await client.pauseIdle({ idleForMs: 10_000, confirm: () => true });
    expect(await client.unpause('web')).toEqual({ id: WEB, name: 'web', action: 'unpaused', pausedByGov: true });
    expect(await client.unpause('db')).toEqual({ id: DB, name: 'db', action: 'unpaused', pausedByGov: false });
    expect(await client.unpause(DB)).toEqual({ id: DB, name: 'db', action: 'not-paused', pausedByGov: false });
    await expect(client.unpause('nope')).rejects.toMatchObject({ code: 'GOV_DOCKER_NOT_FOUND' });
  });

  it('reports a pause the engine refuses and keeps going', async () => {
    const { client, fake } = await setup([engineContainer(WEB, 'web'), engineContainer(DB, 'db')]);
    fake.engine.pause = async (id) => {
      if (id === WEB) throw new DockerError('pausing aaaaaaaaaaaa: container is not running', { code: 'GOV_DOCKER_API', statusCode: 409 });
      (fake.containers.find((c) => c.id === id) as EngineContainer).state = 'paused';
    };
    const result = await client.pauseIdle({ idleForMs: 10_000, confirm: () => true });
    expect(result.paused).toEqual(['db']);
    expect(result.containers.find((c) => c.name === 'web')).toMatchObject({ action: 'failed', error: { code: 'GOV_DOCKER_API', message: 'pausing aaaaaaaaaaaa: container is not running' } });
    expect((await client.pausedByGov()).map((r) => r.name)).toEqual(['db']);
  });
});

describe('createDockerClient without a reclaimer', () => {
  it('refuses to build a client that would have to write to the kernel on its own', () => {
    const call = () => createDockerClient({ stateDir: '/nonexistent' } as unknown as Parameters<typeof createDockerClient>[0]);
    expect(call).toThrow(expect.objectContaining({ name: 'DockerError', code: 'GOV_DOCKER_INVALID_OPTION' }));
  });
});
