import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, DB, engineContainer, LOCAL_V2, MIB, v2Machine, WEB } from '../test/fake-engine.js';
import { DockerError } from './errors.js';
import { createContainerSensor } from './sensor.js';

let dir: string;
let clockMs: number;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-docker-sensor-'));
  clockMs = Date.parse('2026-11-22T02:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createContainerSensor', () => {
  it('reads containers with no state file and no reclaimer, and marks what the caller says gov paused', async () => {
    const machine = await v2Machine(dir);
    await machine.setMemory(WEB, 64 * MIB, 48 * MIB, 1000);
    await machine.setMemory(DB, 32 * MIB, 16 * MIB, 1000);
    const { engine, calls } = createFakeEngine(LOCAL_V2, [engineContainer(WEB, 'web'), engineContainer(DB, 'db', { state: 'paused' })]);
    const plain = createContainerSensor({ engine, procRoot: join(dir, 'proc'), now: () => clockMs });
    expect((await plain.listContainers()).map((c) => [c.name, c.state, c.pausedByGov, c.source])).toEqual([
      ['db', 'paused', false, 'cgroup'],
      ['web', 'running', false, 'cgroup'],
    ]);
    const asked: string[][] = [];
    const told = createContainerSensor({ engine, procRoot: join(dir, 'proc'), now: () => clockMs, pausedIds: async (listed) => (asked.push(listed.map((c) => c.name)), new Set([WEB, DB])) });
    // Only a paused container counts as paused by gov, whatever the caller remembers.
    expect((await told.listContainers()).map((c) => [c.name, c.pausedByGov])).toEqual([
      ['db', true],
      ['web', false],
    ]);
    expect([asked, calls, await readdir(dir)]).toEqual([[['web', 'db']], [], ['cgroup', 'proc']]);
  });

  it('reads one container\'s memory now without recording a CPU sample', async () => {
    const machine = await v2Machine(dir);
    await machine.setMemory(WEB, 64 * MIB, 48 * MIB, 1000);
    const sensor = createContainerSensor({ engine: createFakeEngine(LOCAL_V2, [engineContainer(WEB, 'web')]).engine, procRoot: join(dir, 'proc'), now: () => clockMs });
    const [web] = await sensor.listContainers();
    await machine.setMemory(WEB, 16 * MIB, 0, 5000);
    clockMs += 1000;
    expect(await sensor.memoryOf(web!)).toEqual({ usage: 16 * MIB, workingSet: 16 * MIB, cache: 0, anon: 16 * MIB, shmem: 0, limit: null });
    expect(sensor.sampler.status(WEB)).toEqual({ cpuPercent: null, idleForMs: 0, samples: 1 });
  });

  it('answers null for a container that is gone, and fails when the engine is', async () => {
    const fake = createFakeEngine(LOCAL_V2, [engineContainer(WEB, 'web')]);
    const sensor = createContainerSensor({ engine: fake.engine, procRoot: join(dir, 'proc'), sensing: 'api' });
    const [web] = await sensor.listContainers();
    fake.containers.length = 0;
    expect(await sensor.memoryOf(web!)).toBeNull();
    const unavailable = new DockerError('inspecting: the Docker engine is unavailable (ECONNREFUSED)', { code: 'GOV_DOCKER_UNAVAILABLE' });
    fake.engine.inspect = async () => Promise.reject(unavailable);
    await expect(sensor.memoryOf(web!)).rejects.toBe(unavailable);
  });

  it('samples for the whole window, but stops at the first listing when there is no container to watch', async () => {
    const machine = await v2Machine(dir);
    await machine.setMemory(WEB, 64 * MIB, 48 * MIB, 1000);
    const fake = createFakeEngine(LOCAL_V2, []);
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      clockMs += ms;
    };
    const sensor = createContainerSensor({ engine: fake.engine, procRoot: join(dir, 'proc'), now: () => clockMs, sleep });
    expect(await sensor.sample({ durationMs: 60_000 })).toEqual([]);
    expect(slept).toEqual([]);
    fake.containers.push(engineContainer(WEB, 'web'));
    const [web] = await sensor.sample({ durationMs: 3000, intervalMs: 1000 });
    expect([slept, web?.idleForMs]).toEqual([[1000, 1000, 1000], 3000]);
  });
});
