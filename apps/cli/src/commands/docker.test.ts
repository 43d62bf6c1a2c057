import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerClient, DockerError, type CgroupReclaimPort, type DockerEngine, type EngineContainer } from '@gov/docker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { createTestIo } from '../test-io.js';
import { createDockerCommand } from './docker.js';

const WEB = 'a'.repeat(64);
const DB = 'b'.repeat(64);
const MIB = 1024 ** 2;

let dir: string;
let containers: EngineContainer[];
let engineCalls: string[];
let reclaims: string[];

function container(id: string, name: string, extra: Partial<EngineContainer> = {}): EngineContainer {
  return { id, name, image: 'gov/busybox:test', state: 'running', labels: {}, startedAt: '2026-11-22T01:00:00Z', pid: 0, cgroupParent: '', memoryLimit: null, networks: [], ...extra };
}

const engine: DockerEngine = {
  info: async () => ({ serverVersion: '27.0.0', cgroupDriver: 'cgroupfs', cgroupVersion: 2, local: true }),
  listContainers: async () => containers.map((c) => ({ ...c })),
  inspect: async (nameOrId) => {
    const found = containers.find((c) => c.id === nameOrId || c.name === nameOrId);
    if (!found) throw new DockerError(`inspecting container ${nameOrId}: No such container: ${nameOrId}`, { code: 'GOV_DOCKER_NOT_FOUND', statusCode: 404 });
    return { ...found };
  },
  stats: async () => ({}),
  pause: async (id) => {
    engineCalls.push(`pause ${id.slice(0, 4)}`);
    (containers.find((c) => c.id === id) as EngineContainer).state = 'paused';
  },
  unpause: async (id) => {
    engineCalls.push(`unpause ${id.slice(0, 4)}`);
    (containers.find((c) => c.id === id) as EngineContainer).state = 'running';
  },
};

const reclaimer: CgroupReclaimPort = {
  async reclaim(request) {
    reclaims.push(request.cgroup);
    const id = request.cgroup.slice('docker/'.length);
    await writeMemory(id, 8 * MIB, 0);
    return { steps: [{ name: 'cgroup_reclaim', status: 'ok' }] };
  },
};

async function writeMemory(id: string, current: number, file: number) {
  const cgroup = join(dir, 'cgroup', 'docker', id);
  await mkdir(cgroup, { recursive: true });
  await writeFile(join(cgroup, 'memory.current'), `${current}\n`);
  await writeFile(join(cgroup, 'memory.max'), 'max\n');
  await writeFile(join(cgroup, 'memory.stat'), `anon ${current - file}\nfile ${file}\nshmem 0\ninactive_file 0\n`);
  await writeFile(join(cgroup, 'cpu.stat'), 'usage_usec 1000\n');
}

let clockMs: number;
/** Sampling waits on this clock: a wait moves it on at once, so idle times come out exact. */
const clock = {
  now: () => clockMs,
  sleep: async (ms: number, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    clockMs += ms;
  },
};

let clientsMade: number;
/** govd's answer to GET /api/containers, or `null` when govd is not running (the connection is refused). */
let govdListing: unknown;
const govdUrls: string[] = [];
const fakeFetch = async (url: string) => {
  govdUrls.push(url);
  if (govdListing === null) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  return new Response(JSON.stringify(govdListing), { status: 200, headers: { 'content-type': 'application/json' } });
};

function command() {
  return createDockerCommand({
    createClient: (options) => ((clientsMade += 1), createDockerClient({ ...options, engine, reclaimer, procRoot: join(dir, 'proc'), ...clock })),
    daemon: { fetch: fakeFetch },
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-cli-docker-'));
  clockMs = Date.parse('2026-11-22T02:00:00Z');
  await mkdir(join(dir, 'proc', 'self'), { recursive: true });
  await writeFile(join(dir, 'proc', 'self', 'mountinfo'), `29 22 0:26 / ${join(dir, 'cgroup')} rw - cgroup2 cgroup2 rw\n`);
  containers = [container(WEB, 'web'), container(DB, 'db', { labels: { 'gov.pause': 'never' } })];
  engineCalls = [];
  reclaims = [];
  clientsMade = 0;
  govdListing = null;
  govdUrls.length = 0;
  await writeMemory(WEB, 64 * MIB, 48 * MIB);
  await writeMemory(DB, 16 * MIB, 0);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ HOME: dir, GOV_STATE_DIR: join(dir, 'state') });

describe('gov docker ls', () => {
  it('prints a table of memory, cache, CPU and idle time', async () => {
    const { io, stdout } = createTestIo({ env: env() });
    expect(await command().run({ argv: ['ls', '--sample', '2s'], io })).toBe(0);
    expect(stdout()).toMatchInlineSnapshot(`
      "NAME  STATE    MEMORY     CACHE      CPU %  IDLE FOR
      db    running  16.00 MiB  0 B        0.00%  2 s
      web   running  64.00 MiB  48.00 MiB  0.00%  2 s
      "
    `);
  });

  it('prints every container as JSON', async () => {
    const { io, stdout } = createTestIo({ env: env() });
    expect(await command().run({ argv: ['ls', '--sample', '10ms', '--json'], io })).toBe(0);
    const parsed = JSON.parse(stdout()) as { containers: { name: string; memory: { usage: number }; source: string; cgroup: { path: string } }[]; source: unknown };
    expect(parsed.containers.map((c) => [c.name, c.memory.usage, c.source, c.cgroup.path])).toEqual([
      ['db', 16 * MIB, 'cgroup', `docker/${DB}`],
      ['web', 64 * MIB, 'cgroup', `docker/${WEB}`],
    ]);
    // Asked to sample: this run samples, govd is not asked.
    expect([parsed.source, govdUrls]).toEqual([{ from: 'engine', sampledForMs: 10 }, []]);
  });

  it('answers from govd when it runs, without talking to the engine', async () => {
    const fromGovd = await listingOf(['ls', '--sample', '2s']);
    govdListing = { available: true, error: null, sampledAt: '2026-11-22T02:00:30.000Z', containers: fromGovd };
    const { io, stdout, stderr } = createTestIo({ env: env() });
    const started = clockMs;
    expect(await command().run({ argv: ['ls', '--json'], io })).toBe(0);
    expect(JSON.parse(stdout())).toEqual({ containers: fromGovd, source: { from: 'govd', url: 'http://127.0.0.1:7878', sampledAt: '2026-11-22T02:00:30.000Z' } });
    expect([govdUrls, clientsMade, clockMs - started, stderr()]).toEqual([['http://127.0.0.1:7878/api/containers'], 1, 0, '']);
  });

  it('lists once without govd, waiting for nothing, and says how to get CPU use', async () => {
    const { io, stdout, stderr } = createTestIo({ env: env() });
    const started = clockMs;
    expect(await command().run({ argv: ['ls'], io })).toBe(0);
    expect(stdout()).toMatchInlineSnapshot(`
      "NAME  STATE    MEMORY     CACHE      CPU %  IDLE FOR
      db    running  16.00 MiB  0 B        —      —
      web   running  64.00 MiB  48.00 MiB  —      —
      "
    `);
    expect([clockMs - started, govdUrls.length, stderr()]).toEqual([0, 1, 'CPU % needs two samples: pass --sample DURATION (e.g. --sample 1s), or run govd, which samples every tick.\n']);
  });

  it('does not wait out --sample when there is no container', async () => {
    containers = [];
    const { io, stdout } = createTestIo({ env: env() });
    const started = clockMs;
    expect(await command().run({ argv: ['ls', '--sample', '5s'], io })).toBe(0);
    expect([stdout(), clockMs - started]).toEqual(['No running or paused containers.\n', 0]);
  });
});

/** The containers `gov docker ls --json` prints for `argv` (a listing as govd would hold it). */
async function listingOf(argv: string[]): Promise<unknown[]> {
  const { io, stdout } = createTestIo({ env: env() });
  await command().run({ argv: [...argv, '--json'], io });
  return (JSON.parse(stdout()) as { containers: unknown[] }).containers;
}

describe('gov docker pause-idle', () => {
  it('pauses with --yes, reclaims, and says how to resume', async () => {
    const { io, stdout, stderr, questions } = createTestIo({ env: env() });
    expect(await command().run({ argv: ['pause-idle', '--idle', '2s', '--yes'], io })).toBe(0);
    expect(stdout()).toBe(
      [
        'NAME  ACTION   FREED      REASON',
        'db    skipped             it is labelled gov.pause=never',
        'web   paused   56.00 MiB  idle for 2 s',
        '',
        'Paused 1 container(s); 56.00 MiB left their cgroups. Resume them with "gov docker unpause --all-paused-by-gov".',
        '',
      ].join('\n'),
    );
    expect([stderr(), questions, engineCalls, reclaims]).toEqual(['sampling CPU for 2 s to find containers idle for that long…\n', [], ['pause aaaa'], [`docker/${WEB}`]]);
    const state = JSON.parse(await readFile(join(dir, 'state', 'docker-paused.json'), 'utf8')) as { containers: { name: string }[] };
    expect(state.containers.map((c) => c.name)).toEqual(['web']);
  });

  it('asks on a terminal and pauses nothing when the answer is no', async () => {
    const { io, stdout, stderr, questions } = createTestIo({ env: env(), isTTY: true, answer: false });
    expect(await command().run({ argv: ['pause-idle', '--idle', '2s', '--json'], io })).toBe(0);
    // One progress line, rewritten in place on the terminal.
    expect(stderr().split('\r\u001b[2K')).toEqual([
      '',
      'sampling CPU for idleness: 0 ms of 2 s · 2 container(s), 0 idle so far',
      'sampling CPU for idleness: 1 s of 2 s · 2 container(s), 2 idle so far',
      'sampling CPU for idleness: 2 s of 2 s · 2 container(s), 2 idle so far\n',
    ]);
    expect(questions).toEqual(['Pause 1 idle container(s) and reclaim their memory: web (64.00 MiB)?']);
    expect((JSON.parse(stdout()) as { confirmed: boolean; paused: string[] }).paused).toEqual([]);
    expect(engineCalls).toEqual([]);
  });

  it('refuses to pause off a terminal without --yes, and exits 1 saying why', async () => {
    const { io, stderr, questions } = createTestIo({ env: env() });
    expect(await command().run({ argv: ['pause-idle', '--idle', '2s'], io })).toBe(1);
    expect([questions, engineCalls]).toEqual([[], []]);
    expect(stderr()).toContain('gov docker: not on a terminal, so nothing was asked; pass --yes to pause without asking\n');
  });

  it('takes auto_pause_idle_containers and deny from ~/.config/gov/config.toml', async () => {
    const { io, stdout } = createTestIo({ env: env() });
    await mkdir(join(dir, '.config', 'gov'), { recursive: true });
    await writeFile(join(dir, '.config', 'gov', 'config.toml'), '[docker]\nauto_pause_idle_containers = true\ndeny = ["w*"]\nidle_container_threshold_minutes = 1\n');
    expect(await command().run({ argv: ['pause-idle', '--idle', '2s', '--json'], io })).toBe(0);
    const result = JSON.parse(stdout()) as { idleForMs: number; containers: { name: string; guard: string }[] };
    expect([result.idleForMs, result.containers.map((c) => [c.name, c.guard])]).toEqual([2000, [['db', 'label'], ['web', 'deny']]]);
  });

  it('answers a dry run from govd\'s sampling when govd runs: no sampling, no engine call', async () => {
    govdListing = { available: true, error: null, sampledAt: '2026-11-22T02:00:30.000Z', containers: await listingOf(['ls', '--sample', '40m']) };
    clientsMade = 0;
    const { io, stdout, stderr } = createTestIo({ env: env() });
    const started = clockMs;
    expect(await command().run({ argv: ['pause-idle', '--dry-run'], io })).toBe(0);
    expect(stdout()).toBe(
      [
        'NAME  ACTION       FREED  REASON',
        'db    skipped             it is labelled gov.pause=never',
        'web   would-pause         idle for 40 min',
        '',
        'Dry run: would pause 1 container(s): web.',
        "Judged on govd's sampling at http://127.0.0.1:7878 (listing of 2026-11-22T02:00:30.000Z).",
        '',
      ].join('\n'),
    );
    expect([clientsMade, clockMs - started, stderr(), engineCalls]).toEqual([0, 0, '', []]);
  });

  it('samples a dry run for 10 s without govd, says so, and judges idleness over that sample', async () => {
    const { io, stdout, stderr } = createTestIo({ env: env() });
    const started = clockMs;
    expect(await command().run({ argv: ['pause-idle', '--dry-run', '--json'], io })).toBe(0);
    const result = JSON.parse(stdout()) as { dryRun: boolean; idleForMs: number; wouldPause: string[] };
    expect([result.dryRun, result.idleForMs, result.wouldPause, clockMs - started]).toEqual([true, 10_000, ['web'], 10_000]);
    expect(stderr()).toBe('sampling CPU for 10 s instead of the 30m idle window (govd is not running; --sample sets how long)…\n');
    const shorter = createTestIo({ env: env() });
    expect(await command().run({ argv: ['pause-idle', '--dry-run', '--sample', '3s'], io: shorter.io })).toBe(0);
    expect(shorter.stdout().trim().split('\n').slice(-2)).toEqual(['Dry run: would pause 1 container(s): web.', 'Judged on a 3 s sample, not the 30m idle window a real run waits for.']);
  });

  it('reports a dry run without asking or pausing', async () => {
    const { io, stdout, questions } = createTestIo({ env: env(), isTTY: true, answer: true });
    expect(await command().run({ argv: ['pause-idle', '--idle', '2s', '--dry-run'], io })).toBe(0);
    expect(stdout().trim().split('\n').at(-1)).toBe('Dry run: would pause 1 container(s): web.');
    expect([questions, engineCalls]).toEqual([[], []]);
  });

  it('stops with 130 when interrupted while sampling', async () => {
    const controller = new AbortController();
    controller.abort();
    const { io, stderr } = createTestIo({ env: env(), signal: controller.signal });
    expect(await command().run({ argv: ['pause-idle', '--idle', '10m', '--yes'], io })).toBe(130);
    expect(stderr()).toContain('gov docker: interrupted; nothing was paused\n');
    expect(engineCalls).toEqual([]);
  });
});

describe('gov docker unpause', () => {
  it('unpauses by name, and all that gov paused with --all-paused-by-gov', async () => {
    const { io: first } = createTestIo({ env: env() });
    await command().run({ argv: ['pause-idle', '--idle', '2s', '--yes'], io: first });
    (containers[1] as EngineContainer).state = 'paused';
    const all = createTestIo({ env: env() });
    expect(await command().run({ argv: ['unpause', '--all-paused-by-gov', '--json'], io: all.io })).toBe(0);
    expect(JSON.parse(all.stdout())).toEqual({ unpaused: ['web'], forgotten: [], failed: [] });
    const named = createTestIo({ env: env() });
    expect(await command().run({ argv: ['unpause', 'db', 'web', 'ghost'], io: named.io })).toBe(1);
    expect(named.stdout()).toBe('Unpaused db.\nweb was not paused.\nCould not unpause ghost: inspecting container ghost: No such container: ghost\n');
  });

  it.each([
    [['unpause'], 'say which containers: NAME... or --all-paused-by-gov'],
    [['unpause', 'web', '--all-paused-by-gov'], 'give container names or --all-paused-by-gov, not both'],
    [['ls', 'web'], '"gov docker ls" takes no arguments (got web)'],
    [['ls', '--yes'], '--yes does not apply to "gov docker ls"'],
    [['pause-idle', '--sample', '10s', '--yes'], '--sample applies to "gov docker pause-idle --dry-run" only: a real run samples for the whole idle window'],
    [['stop'], 'unknown docker command "stop"; use ls, pause-idle or unpause'],
    [[], 'say what to do: ls, pause-idle or unpause'],
    [['pause-idle', '--idle', 'soon'], '--idle: "soon" is not a duration; use a number with ms, s, m, h or d, e.g. 30m or 90s'],
  ])('refuses %j with a usage error', async (argv, message) => {
    const { io } = createTestIo({ env: env() });
    const run = command().run({ argv, io });
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toBeInstanceOf(UsageError);
  });
});

it('stops with a config error (exit 2) when the config file asked for does not exist', async () => {
  const { io } = createTestIo({ env: env() });
  await expect(command().run({ argv: ['ls', '--config', join(dir, 'missing.toml')], io })).rejects.toMatchObject({
    code: 'GOV_CONFIG_NOT_FOUND',
    exitCode: 2,
    message: `config file ${join(dir, 'missing.toml')} does not exist`,
  });
});
