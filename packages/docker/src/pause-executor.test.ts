import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, DB, engineContainer, LOCAL_V2, MIB, v2Machine, WEB } from '../test/fake-engine.js';
import type { EngineContainer, EngineInfo } from './engine.js';
import type { CgroupReclaimPort } from './cgroup-cache.js';
import { createPauseExecutor, planPauseIdle, reconcilePaused } from './pause-executor.js';
import { createPausedStateStore } from './paused-state.js';
import { createContainerSensor, type ContainerInfo } from './sensor.js';

let dir: string;
let clockMs: number;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-docker-pause-'));
  clockMs = Date.parse('2026-11-22T02:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An executor over a fake engine whose containers have sat idle for 10 s; `reclaimer` is the only way to the kernel. */
async function idleFor10s(containers: EngineContainer[], reclaimer: CgroupReclaimPort, options: { info?: EngineInfo; cacheBytes?: number } = {}) {
  const machine = await v2Machine(dir);
  for (const c of containers) await machine.setMemory(c.id, 64 * MIB, options.cacheBytes ?? 48 * MIB, 1000);
  const fake = createFakeEngine(options.info ?? LOCAL_V2, containers, Object.fromEntries(containers.map((c) => [c.id, { cpu_stats: { cpu_usage: { total_usage: 5 } }, memory_stats: { usage: 64 * MIB, stats: { file: 48 * MIB, anon: 16 * MIB, inactive_file: 0 } } }])));
  const state = createPausedStateStore({ file: join(dir, 'state', 'docker-paused.json') });
  const now = () => clockMs;
  const sensor = createContainerSensor({ engine: fake.engine, procRoot: join(dir, 'proc'), now, pausedIds: (listed) => reconcilePaused(state, listed) });
  const executor = createPauseExecutor({ engine: fake.engine, sensor, reclaimer, state, now });
  await sensor.listContainers();
  clockMs += 10_000;
  return { executor, fake, state };
}

const pauseWeb = { idleForMs: 10_000, allow: ['web'], confirm: () => true };

describe('createPauseExecutor', () => {
  it('reports a reclaim that failed, and keeps the container paused and remembered', async () => {
    const failing: CgroupReclaimPort = { reclaim: async () => ({ steps: [{ name: 'cgroup_reclaim', status: 'failed', error: { code: 'GOV_RECLAIM_WRITE', message: 'memory.reclaim: EBUSY' } }] }) };
    const { executor, state } = await idleFor10s([engineContainer(WEB, 'web')], failing);
    const result = await executor.pauseIdle(pauseWeb);
    expect([result.paused, result.containers[0]?.reclaim]).toEqual([['web'], { status: 'failed', targetBytes: 48 * MIB, detail: 'memory.reclaim: EBUSY' }]);
    expect((await state.read()).map((record) => record.name)).toEqual(['web']);
  });

  it('turns a reclaimer that throws into a failed reclaim of a paused container', async () => {
    const throwing: CgroupReclaimPort = { reclaim: async () => Promise.reject(new Error('no root')) };
    const { executor, fake } = await idleFor10s([engineContainer(WEB, 'web')], throwing);
    const [decision] = (await executor.pauseIdle(pauseWeb)).containers;
    expect([decision?.action, decision?.reclaim, fake.calls]).toEqual(['paused', { status: 'failed', targetBytes: 48 * MIB, detail: 'no root' }, ['pause aaaa']]);
  });

  it('asks the reclaimer nothing for a container with no page cache worth it or no cgroup on this machine', async () => {
    const asked: string[] = [];
    const reclaimer: CgroupReclaimPort = { reclaim: async (request) => (asked.push(request.cgroup), { steps: [] }) };
    const small = await idleFor10s([engineContainer(WEB, 'web')], reclaimer, { cacheBytes: MIB / 2 });
    expect((await small.executor.pauseIdle(pauseWeb)).containers[0]?.reclaim).toEqual({ status: 'skipped', targetBytes: null, detail: 'it holds less than 1 MiB of page cache' });
    await rm(join(dir, 'state'), { recursive: true, force: true });
    const remote = await idleFor10s([engineContainer(DB, 'web')], reclaimer, { info: { ...LOCAL_V2, local: false } });
    const [decision] = (await remote.executor.pauseIdle(pauseWeb)).containers;
    expect([decision?.action, decision?.reclaim]).toEqual(['paused', { status: 'skipped', targetBytes: null, detail: "the container's cgroup is not on this machine" }]);
    expect(asked).toEqual([]);
  });
});

describe('pause (one container, by name)', () => {
  const cgroupOk: CgroupReclaimPort = { reclaim: async () => ({ steps: [{ name: 'cgroup_reclaim', status: 'ok', detail: 'reclaimed' }] }) };

  it('pauses a running container that is not idle, reclaims its cgroup and remembers it', async () => {
    const { executor, fake, state } = await idleFor10s([engineContainer(WEB, 'web')], cgroupOk);
    const decision = await executor.pause('web', { allow: [], deny: ['db*'] });
    expect([decision.action, decision.name, decision.reason, decision.reclaim, fake.calls]).toEqual(['paused', 'web', 'asked for by name', { status: 'ok', targetBytes: 48 * MIB, detail: 'reclaimed' }, ['pause aaaa']]);
    expect((await state.read()).map((record) => record.name)).toEqual(['web']);
  });

  it('in a dry run checks the guards and pauses nothing', async () => {
    const { executor, fake, state } = await idleFor10s([engineContainer(WEB, 'web')], cgroupOk);
    const decision = await executor.pause(WEB, { dryRun: true });
    expect([decision.action, decision.reclaim, fake.calls, await state.read()]).toEqual(['would-pause', null, [], []]);
  });

  it.each([
    [{ labels: { 'gov.pause': 'never' } }, {}, 'label', 'web is not paused: it is labelled gov.pause=never'],
    [{}, { deny: ['w*'] }, 'deny', 'web is not paused: its name matches the deny pattern "w*"'],
    [{}, { allow: ['db'] }, 'allow', 'web is not paused: its name matches no allow pattern ("db")'],
  ])('refuses a container the user guards (%j, %j) with GOV_DOCKER_GUARDED', async (extra, options, guard, message) => {
    const { executor, fake } = await idleFor10s([engineContainer(WEB, 'web', extra)], cgroupOk);
    await expect(executor.pause('web', options)).rejects.toMatchObject({ code: 'GOV_DOCKER_GUARDED', guard, message });
    expect(fake.calls).toEqual([]);
  });

  it('refuses a container that is not running, and names an unknown one', async () => {
    const { executor } = await idleFor10s([engineContainer(WEB, 'web', { state: 'paused' }), engineContainer(DB, 'db', { state: 'exited' })], cgroupOk);
    await expect(executor.pause('web')).rejects.toMatchObject({ code: 'GOV_DOCKER_NOT_RUNNING', message: 'web is paused; only a running container can be paused' });
    await expect(executor.pause('db')).rejects.toMatchObject({ code: 'GOV_DOCKER_NOT_RUNNING', message: 'db is exited; only a running container can be paused' });
    await expect(executor.pause('nope')).rejects.toMatchObject({ code: 'GOV_DOCKER_NOT_FOUND' });
  });
});

describe('reconcilePaused', () => {
  it('keeps the containers still paused, forgets the rest, and writes only when something changed', async () => {
    const state = createPausedStateStore({ file: join(dir, 'paused.json') });
    await state.update(() => [
      { id: WEB, name: 'web', pausedAt: '2026-11-22T01:00:00.000Z', freedBytes: 1 },
      { id: DB, name: 'db', pausedAt: '2026-11-22T01:00:00.000Z', freedBytes: 2 },
    ]);
    const listed = [engineContainer(WEB, 'web', { state: 'paused' }), engineContainer(DB, 'db')];
    expect(await reconcilePaused(state, listed)).toEqual(new Set([WEB]));
    const written = await readFile(join(dir, 'paused.json'), 'utf8');
    expect(JSON.parse(written).containers).toEqual([{ id: WEB, name: 'web', pausedAt: '2026-11-22T01:00:00.000Z', freedBytes: 1 }]);
    expect(await reconcilePaused(state, listed.slice(0, 1))).toEqual(new Set([WEB]));
    expect(await readFile(join(dir, 'paused.json'), 'utf8')).toBe(written);
  });
});

describe('planPauseIdle', () => {
  const listed = (name: string, idleForMs: number | null, percent: number | null, extra: Partial<ContainerInfo> = {}): ContainerInfo => ({
    id: name.padEnd(64, '0'),
    name,
    image: 'gov/busybox:test',
    state: 'running',
    labels: {},
    compose: null,
    dependsOn: [],
    networks: [],
    startedAt: '2026-11-22T01:00:00Z',
    memory: { usage: 64 * MIB, workingSet: 16 * MIB, cache: 48 * MIB, anon: 16 * MIB, shmem: 0, limit: null },
    cpu: percent === null && idleForMs === null ? null : { usageNs: 5, percent },
    idleForMs,
    cgroup: null,
    source: 'cgroup',
    pausedByGov: false,
    ...extra,
  });

  it('judges a listing another process sampled by its own idle times, as a dry run of pauseIdle would', () => {
    const containers = [
      listed('web', 45 * 60_000, 0.1),
      listed('api', 0, 3.5),
      listed('fresh', 0, null),
      listed('db', 45 * 60_000, 0, { labels: { 'gov.pause': 'never' } }),
      listed('worker', 10 * 60_000, 0.2),
      listed('cache', 45 * 60_000, 0, { state: 'paused' }),
    ];
    const result = planPauseIdle(containers, { idleForMs: 30 * 60_000, maxPausesPerTick: 2 });
    expect({ ...result, containers: result.containers.map((decision) => [decision.name, decision.action, decision.guard, decision.reason]) }).toEqual({
      dryRun: true,
      idleForMs: 30 * 60_000,
      confirmed: null,
      paused: [],
      wouldPause: ['web'],
      freedBytes: 0,
      containers: [
        ['api', 'skipped', 'not-idle', 'it was not idle for the whole window'],
        ['cache', 'skipped', 'not-running', 'it is paused'],
        ['db', 'skipped', 'label', 'it is labelled gov.pause=never'],
        ['fresh', 'skipped', 'not-idle', 'it was not idle for the whole window'],
        ['web', 'would-pause', null, 'idle for 45 min'],
        ['worker', 'skipped', 'not-idle', 'it was not idle for the whole window'],
      ],
    });
  });
});
