import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReclaimer } from '@gov/reclaimer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCgroupV2Kernel, createCgroup, kernelSeries, labDataDir, MiB, startLabDockerd, statValue, until, type TestCgroup } from '../../../tools/test-support/cgroup-lab.js';
import { dockerCli, removeContainers, startContainer } from '../../../tools/test-support/docker.js';
import { containerCgroupPath, type CgroupDriver } from './cgroup-paths.js';
import { createDockerClient, type DockerClient } from './client.js';
import type { DockerEngine, EngineContainer } from './engine.js';
import { DockerError } from './errors.js';

// On a real cgroup-v2 kernel (the lab guest, `npm run test:v2`), as root.
assertCgroupV2Kernel();

const keyword = kernelSeries() === '6.1' ? '' : ' swappiness=0';

/**
 * What the reclaim step of a paused container says. Its target is all the page cache the
 * container holds, and the pages its frozen processes have mapped (their executables) may stay:
 * then the kernel answers EAGAIN, which is still a reclaim that ran.
 */
function reclaimDetail(target: number, cgroup: string): RegExp {
  const escaped = `write "${target}${keyword}" to memory.reclaim of cgroup ${cgroup} (v2)`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}(; the kernel reclaimed less than the target \\(EAGAIN\\))?$`);
}

/** Freezes a cgroup through the v2 freezer, as runc does for `docker pause`, and waits until it is frozen. */
async function setFrozen(cgroup: TestCgroup, frozen: boolean): Promise<void> {
  await writeFile(`${cgroup.dir}/cgroup.freeze`, frozen ? '1' : '0');
  await until(`${cgroup.path} to be ${frozen ? 'frozen' : 'thawed'}`, async () => (statValue(await cgroup.read('cgroup.events'), 'frozen') === (frozen ? 1 : 0) ? true : undefined));
}

interface LabContainer {
  engine: EngineContainer;
  cgroup: TestCgroup;
}

/**
 * Containers as a Docker engine lays out their cgroups, with the given driver, made of real
 * processes in real cgroups; pause and unpause use the real v2 freezer. The stats API is never
 * asked: a local engine's containers are read from their cgroup files.
 */
function labEngine(driver: CgroupDriver) {
  const containers: LabContainer[] = [];
  const find = (nameOrId: string) => {
    const found = containers.find((container) => container.engine.id === nameOrId || container.engine.name === nameOrId);
    if (!found) throw new DockerError(`no container ${nameOrId}`, { code: 'GOV_DOCKER_NOT_FOUND' });
    return found;
  };
  const engine: DockerEngine = {
    info: async () => ({ serverVersion: 'lab', cgroupDriver: driver, cgroupVersion: 2, local: true }),
    listContainers: async () => containers.map((container) => ({ ...container.engine })),
    inspect: async (nameOrId) => ({ ...find(nameOrId).engine }),
    stats: async () => {
      throw new Error('the stats API must not be asked for a local engine whose cgroup files are readable');
    },
    async pause(id) {
      const container = find(id);
      await setFrozen(container.cgroup, true);
      container.engine.state = 'paused';
    },
    async unpause(id) {
      const container = find(id);
      await setFrozen(container.cgroup, false);
      container.engine.state = 'running';
    },
  };
  return {
    engine,
    /** Starts `script` as the container's only process, in the cgroup the driver would give it. */
    async start(name: string, script: string): Promise<LabContainer> {
      const id = randomBytes(32).toString('hex');
      const path = containerCgroupPath(id, driver);
      if (path === null) throw new Error(`no ${driver} cgroup path for ${id}`);
      const cgroup = await createCgroup(path);
      const child = cgroup.spawn('sh', ['-c', script]);
      const container: LabContainer = {
        engine: { id, name, image: 'lab', state: 'running', labels: {}, startedAt: new Date().toISOString(), pid: child.pid ?? 0, cgroupParent: '', memoryLimit: null, networks: [] },
        cgroup,
      };
      containers.push(container);
      return container;
    },
    async removeAll() {
      for (const container of containers.splice(0)) await container.cgroup.remove();
    },
  };
}

/** A script that builds `mib` MiB of page cache on the scratch disk, says so, then sleeps: an idle container holding memory. */
function cacheThenSleep(file: string, mib: number): string {
  return `dd if=/dev/zero of="${file}" bs=1M count=${mib} 2>/dev/null && sync && touch "${file}.done" && exec sleep 600`;
}

async function waitForFile(path: string): Promise<void> {
  await until(path, () => readFile(path).then(() => true, () => undefined), 60_000);
}

describe.each(['systemd', 'cgroupfs'] as const)('@gov/docker on cgroup v2 with the %s driver layout, real processes', (driver) => {
  const lab = labEngine(driver);
  let client: DockerClient;
  let idle: LabContainer;
  let busy: LabContainer;
  beforeAll(async () => {
    client = createDockerClient({ engine: lab.engine, sensing: 'cgroup', reclaimer: createReclaimer(), stateDir: await mkdtemp(join(tmpdir(), 'gov-docker-v2-')) });
    const file = join(labDataDir(), `docker-${driver}-${process.pid}.bin`);
    idle = await lab.start(`${driver}-idle`, cacheThenSleep(file, 32));
    await waitForFile(`${file}.done`);
    // Started last: a busy loop takes a whole emulated CPU.
    busy = await lab.start(`${driver}-busy`, 'while :; do :; done');
  });
  afterAll(() => lab.removeAll());

  it(`finds each container at the ${driver} path and reads its memory and cpu.stat`, async () => {
    expect(idle.cgroup.path).toBe(driver === 'systemd' ? `system.slice/docker-${idle.engine.id}.scope` : `docker/${idle.engine.id}`);
    const cpuBefore = statValue(await idle.cgroup.read('cpu.stat'), 'usage_usec') * 1000;
    const listed = await client.listContainers();
    const cpuAfter = statValue(await idle.cgroup.read('cpu.stat'), 'usage_usec') * 1000;
    const byName = new Map(listed.map((container) => [container.name, container]));
    const idleInfo = byName.get(`${driver}-idle`);
    expect(idleInfo?.cgroup).toEqual({
      version: 2,
      path: idle.cgroup.path,
      memoryDir: idle.cgroup.dir,
      cpuDir: idle.cgroup.dir,
    });
    expect(idleInfo?.source).toBe('cgroup');
    expect(idleInfo?.memory?.usage).toBeGreaterThanOrEqual(32 * MiB);
    expect(idleInfo?.memory?.cache).toBeGreaterThanOrEqual(32 * MiB);
    expect(idleInfo?.memory?.shmem).toBe(0);
    expect(idleInfo?.memory?.limit).toBeNull();
    // The shell may still be becoming `sleep` while it is read.
    expect(idleInfo?.cpu?.usageNs).toBeGreaterThanOrEqual(cpuBefore);
    expect(idleInfo?.cpu?.usageNs).toBeLessThanOrEqual(cpuAfter);
    expect(byName.get(`${driver}-busy`)?.cgroup?.memoryDir).toBe(busy.cgroup.dir);
  });

  it('tells the idle container from the busy one by cpu.stat, pauses it with the v2 freezer and reclaims its page cache', async () => {
    const sampled = await client.sample({ durationMs: 2000, intervalMs: 1000 });
    const percent = new Map(sampled.map((container) => [container.name, container.cpu?.percent]));
    expect(percent.get(`${driver}-idle`)).toBeLessThan(1);
    expect(percent.get(`${driver}-busy`)).toBeGreaterThan(20);
    const cacheBefore = await idle.cgroup.stat('file');

    const result = await client.pauseIdle({ idleForMs: 1500, confirm: () => true });

    expect(result.paused).toEqual([`${driver}-idle`]);
    const decisions = new Map(result.containers.map((decision) => [decision.name, decision]));
    expect(decisions.get(`${driver}-busy`)).toMatchObject({ action: 'skipped', guard: 'not-idle' });
    const paused = decisions.get(`${driver}-idle`);
    const target = paused?.reclaim?.targetBytes ?? 0;
    expect(paused?.reclaim).toEqual({ status: 'ok', targetBytes: target, detail: expect.stringMatching(reclaimDetail(target, idle.cgroup.path)) });
    expect(target).toBeGreaterThanOrEqual(32 * MiB);
    // Still frozen, and its page cache is gone: that is where the saving comes from.
    expect(statValue(await idle.cgroup.read('cgroup.events'), 'frozen')).toBe(1);
    expect(await idle.cgroup.stat('file')).toBeLessThan(cacheBefore - 30 * MiB);
    expect(paused?.freedBytes).toBeGreaterThanOrEqual(30 * MiB);
    expect(paused?.freedBytes).toBe((paused?.memoryBefore?.usage ?? 0) - (paused?.memoryAfter?.usage ?? 0));
  });
});

describe('@gov/docker on a real Docker engine inside the cgroup-v2 guest (cgroupfs driver)', () => {
  let engine: { stop(): Promise<void> };
  let client: DockerClient;
  const started: string[] = [];
  beforeAll(async () => {
    engine = await startLabDockerd();
    client = createDockerClient({ reclaimer: createReclaimer(), stateDir: await mkdtemp(join(tmpdir(), 'gov-dockerd-v2-')) });
  }, 180_000);
  afterAll(async () => {
    removeContainers(...started);
    await engine?.stop();
  });

  it('reads a container at docker/<id>, pauses it with docker pause (the v2 freezer) and reclaims its page cache', async () => {
    expect(await client.engineInfo()).toMatchObject({ cgroupDriver: 'cgroupfs', cgroupVersion: 2, local: true });
    const data = labDataDir();
    const id = startContainer({ name: 'v2-idle', command: ['sh', '-c', cacheThenSleep('/data/v2-idle.bin', 48)], extraArgs: ['--network', 'none', '-v', `${data}:/data`] });
    started.push(id);
    await waitForFile(join(data, 'v2-idle.bin.done'));

    const [listed] = await client.sample({ durationMs: 2000, intervalMs: 1000 });
    expect(listed?.cgroup).toEqual({ version: 2, path: `docker/${id}`, memoryDir: `/sys/fs/cgroup/docker/${id}`, cpuDir: `/sys/fs/cgroup/docker/${id}` });
    expect(listed?.memory?.cache).toBeGreaterThanOrEqual(48 * MiB);
    expect(listed?.cpu?.percent).toBeLessThan(1);

    const result = await client.pauseIdle({ idleForMs: 1500, confirm: () => true });

    expect(result.paused).toEqual(['v2-idle']);
    expect(dockerCli(['inspect', '--format', '{{.State.Status}}', id])).toBe('paused');
    expect(await readFile(`/sys/fs/cgroup/docker/${id}/cgroup.freeze`, 'utf8')).toBe('1\n');
    const [decision] = result.containers;
    const target = decision?.reclaim?.targetBytes ?? 0;
    expect(decision?.reclaim).toEqual({ status: 'ok', targetBytes: target, detail: expect.stringMatching(reclaimDetail(target, `docker/${id}`)) });
    expect(statValue(await readFile(`/sys/fs/cgroup/docker/${id}/memory.stat`, 'utf8'), 'file')).toBeLessThan(4 * MiB);
    expect(decision?.freedBytes).toBeGreaterThanOrEqual(46 * MiB);
    expect(await client.unpauseAll()).toEqual({ unpaused: ['v2-idle'], forgotten: [], failed: [] });
    expect(dockerCli(['inspect', '--format', '{{.State.Status}}', id])).toBe('running');
  });
});
