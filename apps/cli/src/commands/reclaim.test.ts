import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseLinuxMemory } from '@gov/meminfo';
import { createDryRunExecutor, createReclaimer, createReclaimLock, ReclaimError, type ReclaimAction, type ReclaimExecutor } from '@gov/reclaimer';
import { describe, expect, it } from 'vitest';
import { runMain } from '../main.js';
import { createTestIo } from '../test-io.js';
import { createReclaimCommand, parseReclaimArgs } from './reclaim.js';

const GiB = 1024 ** 3;

const before = parseLinuxMemory('MemTotal: 16777216 kB\nMemFree: 1048576 kB\nMemAvailable: 8388608 kB\nCached: 4194304 kB\n');
const after = parseLinuxMemory(`MemTotal: 16777216 kB\nMemFree: ${1048576 + 1069548} kB\nMemAvailable: 9458156 kB\nCached: 3124756 kB\n`);

function fakeExecutor(fail?: (action: ReclaimAction) => Error | undefined) {
  const ran: ReclaimAction[] = [];
  const executor: ReclaimExecutor = {
    kind: 'fake',
    dryRun: false,
    readCgroupLayout: async () => ({ v2Memory: null, v1Memory: '/sys/fs/cgroup/memory' }),
    readCgroupStat: async () => '',
    describe: (action) => (action.kind === 'drop_caches' ? `write "${action.level}" to /proc/sys/vm/drop_caches` : action.kind === 'sync' ? 'run sync' : action.kind),
    async run(action) {
      ran.push(action);
      const failure = fail?.(action);
      if (failure) throw failure;
      return {};
    },
  };
  return { executor, ran };
}

function command(fail?: (action: ReclaimAction) => Error | undefined) {
  const fake = fakeExecutor(fail);
  const readings = [before, after];
  let ms = 0;
  const reclaimCommand = createReclaimCommand({
    createExecutor: () => fake.executor,
    createLock: async () => createReclaimLock(),
    createReclaimer: (executor) =>
      createReclaimer({
        executor,
        lock: createReclaimLock(),
        readMemory: async () => readings.shift() ?? after,
        // Each clock reading is 46 ms after the last.
        now: () => (ms += 46),
      }),
  });
  return { reclaimCommand, ran: fake.ran };
}

describe('gov reclaim', () => {
  it('prints a line per step and what was freed', async () => {
    const { reclaimCommand, ran } = command();
    const { io, stdout } = createTestIo();
    expect(await reclaimCommand.run({ argv: [], io })).toBe(0);
    expect(ran).toEqual([{ kind: 'sync' }, { kind: 'drop_caches', level: 1 }]);
    expect(stdout()).toMatchInlineSnapshot(`
      "ok       sync         46 ms  run sync
      ok       drop_caches  46 ms  write "1" to /proc/sys/vm/drop_caches
      freed 1.02 GiB in 230 ms
      "
    `);
  });

  it('prints the ReclaimResult with --json', async () => {
    const { reclaimCommand } = command();
    const { io, stdout } = createTestIo();
    expect(await reclaimCommand.run({ argv: ['--method', 'full', '--level', '3', '--no-sync', '--json'], io })).toBe(0);
    expect(JSON.parse(stdout())).toEqual({
      method: 'full',
      targetBytes: null,
      steps: [
        { name: 'drop_caches', status: 'ok', detail: 'write "3" to /proc/sys/vm/drop_caches', durationMs: 46 },
        { name: 'compact_memory', status: 'ok', detail: 'compact_memory', durationMs: 46 },
      ],
      before,
      after,
      freedBytes: 1069548 * 1024,
      freedMeasure: 'machine',
      durationMs: 230,
      dryRun: false,
    });
  });

  it('says when cgroup_reclaim fell back to drop_caches', async () => {
    const { reclaimCommand, ran } = command();
    const { io, stdout } = createTestIo();
    expect(await reclaimCommand.run({ argv: ['--target', '512M', '--no-sync'], io })).toBe(0);
    expect(ran).toEqual([{ kind: 'drop_caches', level: 1 }]);
    expect(stdout()).toMatchInlineSnapshot(`
      "ok       drop_caches  46 ms  write "1" to /proc/sys/vm/drop_caches
      fell back from cgroup_reclaim to drop_caches: no cgroup v2 memory controller is mounted, so the root cgroup has no memory.reclaim; dropped the page cache instead
      freed 1.02 GiB in 138 ms
      "
    `);
  });

  it('exits 1 when a step failed, and shows the error', async () => {
    const { reclaimCommand } = command((action) =>
      action.kind === 'compact_memory' ? new ReclaimError('GOV_RECLAIM_PERMISSION', 'compact_memory: writing /proc/sys/vm/compact_memory needs root (EACCES)') : undefined,
    );
    const { io, stdout } = createTestIo();
    expect(await reclaimCommand.run({ argv: ['--method', 'compact'], io })).toBe(1);
    expect(stdout()).toMatchInlineSnapshot(`
      "failed   compact_memory  46 ms  GOV_RECLAIM_PERMISSION: compact_memory: writing /proc/sys/vm/compact_memory needs root (EACCES)
      freed 1.02 GiB in 138 ms
      "
    `);
  });

  it('exits 2 when a step refused its cgroup', async () => {
    const { reclaimCommand } = command((action) => (action.kind === 'force_empty' ? new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', 'the cgroup docker/x resolves outside the root; refused') : undefined));
    const { io } = createTestIo();
    expect(await reclaimCommand.run({ argv: ['--cgroup', 'docker/x'], io })).toBe(2);
  });

  it('says a cgroup reclaim freed what left that cgroup', async () => {
    const fake = fakeExecutor();
    const usage = [{ usage: 300 * 1024 ** 2, file: 250 * 1024 ** 2 }, { usage: 200 * 1024 ** 2, file: 150 * 1024 ** 2 }];
    fake.executor.readCgroupUsage = async () => usage.shift() ?? { usage: 0, file: 0 };
    const reclaimCommand = createReclaimCommand({
      createExecutor: () => fake.executor,
      createReclaimer: (executor) => createReclaimer({ executor, lock: createReclaimLock(), readMemory: async () => before, now: () => 0 }),
    });
    const { io, stdout } = createTestIo();
    expect(await reclaimCommand.run({ argv: ['--cgroup', 'docker/x'], io })).toBe(0);
    expect(stdout()).toMatchInlineSnapshot(`
      "ok       cgroup_reclaim  0 ms  force_empty
      freed 100.00 MiB from cgroup docker/x in 0 ms
      "
    `);
  });

  it('shows a dry run without running anything', async () => {
    const fake = fakeExecutor();
    const reclaimCommand = createReclaimCommand({
      createExecutor: () => createDryRunExecutor({ base: fake.executor }),
      createReclaimer: (executor) => createReclaimer({ executor, lock: createReclaimLock(), readMemory: async () => before, now: () => 0 }),
    });
    const { io, stdout } = createTestIo();
    expect(await reclaimCommand.run({ argv: ['--dry-run'], io })).toBe(0);
    expect(fake.ran).toEqual([]);
    expect(stdout()).toMatchInlineSnapshot(`
      "skipped  sync         0 ms  would run sync
      skipped  drop_caches  0 ms  would write "1" to /proc/sys/vm/drop_caches
      dry run: nothing was changed
      "
    `);
  });
});

describe('gov reclaim and the reclaim lock', () => {
  it('refuses with exit 1 while another process holds the lock file in the state directory, and runs nothing', async () => {
    const home = await mkdtemp(join(tmpdir(), 'gov-reclaim-lock-'));
    try {
      const lockPath = join(home, '.local', 'state', 'gov', 'reclaim.lock');
      await mkdir(dirname(lockPath), { recursive: true });
      await writeFile(lockPath, `${JSON.stringify({ pid: 1, start: null })}\n`);
      const fake = fakeExecutor();
      const reclaimCommand = createReclaimCommand({ createExecutor: () => fake.executor });
      const { io, stdout } = createTestIo({ env: { HOME: home } });
      await expect(reclaimCommand.run({ argv: ['--no-sync'], io })).rejects.toEqual(new ReclaimError('GOV_RECLAIM_BUSY', `another reclaim is running (process 1 holds ${lockPath}); try again when it has finished`, { path: lockPath }));
      expect([fake.ran, stdout()]).toEqual([[], '']);
      const cli = createTestIo({ env: { HOME: home } });
      expect(await runMain(['reclaim', '--dry-run'], cli.io)).toBe(0);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('parseReclaimArgs', () => {
  it('reads every flag', () => {
    expect(parseReclaimArgs(['--method', 'cgroup', '--target', '1.5GiB', '--cgroup', 'docker/abc', '--dry-run', '--json', '--distro', 'Ubuntu'])).toEqual({
      request: { method: 'cgroup_reclaim', targetBytes: 1.5 * GiB, cgroup: 'docker/abc', dryRun: true },
      json: true,
      distro: 'Ubuntu',
    });
    expect(parseReclaimArgs([])).toEqual({ request: { method: 'drop_caches' }, json: false, distro: undefined });
    expect(parseReclaimArgs(['--method', 'drop_caches', '--level', '2', '--no-sync'])).toEqual({ request: { method: 'drop_caches', level: 2, sync: false }, json: false, distro: undefined });
    expect(parseReclaimArgs(['--target', '512M', '--compact'])).toEqual({ request: { method: 'cgroup_reclaim', targetBytes: 536_870_912, compact: true }, json: false, distro: undefined });
  });

  it.each([
    [['--method', 'rm'], 'gov: --method: "rm" is not a reclaim method; use drop_caches, compact_memory, cgroup_reclaim, full (or compact, cgroup)'],
    [['--level', '4'], 'gov: --level: "4" is not 1, 2 or 3'],
    [['--method', 'compact', '--level', '1'], 'gov: --level applies to --method drop_caches and full only'],
    [['--target', '512X'], 'gov: --target: "512X" is not a size; use plain bytes or a number with K, M, G (or KiB, MiB, GiB), e.g. 512M'],
    [['--target', '1K'], 'gov: --target: "1K" is 1024 bytes; a target is from 1 MiB to 64 GiB'],
    [['--target', '65G'], 'gov: --target: "65G" is 69793218560 bytes; a target is from 1 MiB to 64 GiB'],
    [['--method', 'full', '--cgroup', 'docker/x'], 'gov: --cgroup applies to --method cgroup only'],
    [['--cgroup', '../../etc'], 'gov: cgroup "../../etc" is refused: it contains a ".." segment; name it relative to the cgroup root, e.g. docker/<id>'],
    [['--distro', 'a;b'], 'gov: --distro: WSL distribution "a;b" is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"'],
    [['--bogus'], 'gov: unknown option --bogus'],
  ])('exits 2 on %j, before anything runs', async (argv, message) => {
    const { io, stdout, stderr } = createTestIo();
    expect(await runMain(['reclaim', ...argv], io)).toBe(2);
    expect(stdout()).toBe('');
    expect(stderr().split('\n')[0]).toBe(message);
  });

  it('answers a bad target with a JSON error under --json', async () => {
    const { io, stdout } = createTestIo();
    expect(await runMain(['reclaim', '--target', '1K', '--json'], io)).toBe(2);
    expect(JSON.parse(stdout())).toEqual({ error: { name: 'UsageError', code: 'GOV_CLI_USAGE', message: '--target: "1K" is 1024 bytes; a target is from 1 MiB to 64 GiB' } });
  });
});
