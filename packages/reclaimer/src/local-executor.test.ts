import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecError, type Exec, type Timers } from '@gov/io';
import { parseLinuxMemory } from '@gov/meminfo';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReclaimError } from './errors.js';
import { createLocalExecutor, type ReclaimFs } from './local-executor.js';
import { createReclaimLock } from './lock.js';
import { createReclaimer } from './reclaimer.js';

const MiB = 1024 ** 2;

function systemError(errno: string, path: string): Error {
  return Object.assign(new Error(`${errno}: failed, open '${path}'`), { code: errno, path });
}

/** An in-memory fs: records every write; `deny` answers a write with a system error. */
function memoryFs(files: Record<string, string>, deny?: (path: string, data: string) => string | undefined) {
  const writes: [string, string][] = [];
  const fs: ReclaimFs = {
    async readFile(path) {
      const text = files[path];
      if (text === undefined) throw systemError('ENOENT', path);
      return text;
    },
    async writeFile(path, data) {
      const errno = deny?.(path, data);
      if (errno) throw systemError(errno, path);
      writes.push([path, data]);
    },
    async realpath(path) {
      return path;
    },
  };
  return { fs, writes };
}

/** An exec port that records each program it is asked to run and answers exit code 0. */
function recordingExec() {
  const runs: [string, string[]][] = [];
  const exec: Exec = async (file, args) => (runs.push([file, [...args]]), { exitCode: 0, stdout: '', stderr: '' });
  return { exec, runs };
}

/** Timers that record each delay and fire at once: the work under test never answers. */
function expiringTimers() {
  const delays: number[] = [];
  const timers: Timers = { setTimeout: (callback, ms) => (delays.push(ms), queueMicrotask(callback)), clearTimeout: () => undefined };
  return { timers, delays };
}

const meminfo = (freeKb: number) => parseLinuxMemory(`MemTotal: 16777216 kB\nMemFree: ${freeKb} kB\nMemAvailable: 12582912 kB\nCached: 1048576 kB\n`);
const quietReclaimer = (executor: ReturnType<typeof createLocalExecutor>) => createReclaimer({ executor, readMemory: async () => meminfo(1024), lock: createReclaimLock(), now: () => 0 });

describe('createLocalExecutor', () => {
  it('writes the level to drop_caches and 1 to compact_memory, and runs sync with nothing else', async () => {
    const { fs, writes } = memoryFs({});
    const { exec, runs } = recordingExec();
    const delays: number[] = [];
    const timers: Timers = { setTimeout: (callback, ms) => (delays.push(ms), setTimeout(callback, ms)), clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
    const executor = createLocalExecutor({ fs, exec, timers, procRoot: '/host/proc' });
    const result = await quietReclaimer(executor).reclaim({ method: 'full', level: 2 });
    expect(writes).toEqual([
      ['/host/proc/sys/vm/drop_caches', '2'],
      ['/host/proc/sys/vm/compact_memory', '1'],
    ]);
    expect([runs, delays]).toEqual([[['sync', []]], [60_000]]);
    expect(result.steps).toEqual([
      { name: 'sync', status: 'ok', detail: 'run sync', durationMs: 0 },
      { name: 'drop_caches', status: 'ok', detail: 'write "2" to /host/proc/sys/vm/drop_caches', durationMs: 0 },
      { name: 'compact_memory', status: 'ok', detail: 'write "1" to /host/proc/sys/vm/compact_memory', durationMs: 0 },
    ]);
  });

  it('reads a cgroup\'s usage and page cache from the hierarchy it reclaims through, v2 first, then v1', async () => {
    const v2 = memoryFs({
      '/sys/fs/cgroup/a/memory.current': '314572800\n',
      '/sys/fs/cgroup/a/memory.max': 'max\n',
      '/sys/fs/cgroup/a/memory.stat': 'anon 4096\nfile 262144000\nshmem 0\n',
    });
    const onV2 = createLocalExecutor({ fs: v2.fs, cgroupLayout: { v2Memory: '/sys/fs/cgroup', v1Memory: '/sys/fs/cgroup/memory' } });
    expect(await onV2.readCgroupUsage?.('a')).toEqual({ usage: 300 * MiB, file: 250 * MiB });

    const v1 = memoryFs({
      '/sys/fs/cgroup/memory/docker/x/memory.usage_in_bytes': '209715200\n',
      '/sys/fs/cgroup/memory/docker/x/memory.limit_in_bytes': '9223372036854771712\n',
      '/sys/fs/cgroup/memory/docker/x/memory.stat': 'cache 104857600\nrss 0\ntotal_cache 157286400\ntotal_rss 0\n',
    });
    const onV1 = createLocalExecutor({ fs: v1.fs, cgroupLayout: { v2Memory: null, v1Memory: '/sys/fs/cgroup/memory' } });
    expect(await onV1.readCgroupUsage?.('docker/x')).toEqual({ usage: 200 * MiB, file: 150 * MiB });
  });

  it('records EACCES as GOV_RECLAIM_PERMISSION with the fix in the message', async () => {
    const { fs } = memoryFs({}, () => 'EACCES');
    const result = await quietReclaimer(createLocalExecutor({ fs, exec: recordingExec().exec })).reclaim({ method: 'drop_caches', sync: false });
    expect(result.steps).toEqual([
      {
        name: 'drop_caches',
        status: 'failed',
        error: { code: 'GOV_RECLAIM_PERMISSION', message: 'drop_caches: writing /proc/sys/vm/drop_caches needs root (EACCES); run `sudo gov reclaim`, or run govd as root' },
        durationMs: 0,
      },
    ]);
  });

  it('records a read-only /proc/sys (EROFS) as GOV_RECLAIM_PERMISSION', async () => {
    const { fs } = memoryFs({}, () => 'EROFS');
    const result = await quietReclaimer(createLocalExecutor({ fs })).reclaim({ method: 'compact_memory' });
    expect(result.steps[0]?.error).toEqual({
      code: 'GOV_RECLAIM_PERMISSION',
      message: 'compact_memory: /proc/sys/vm/compact_memory is on a read-only filesystem (EROFS); inside a container, run on the host or in a privileged container',
    });
  });

  it('records a kernel without compaction (ENOENT) as GOV_RECLAIM_UNSUPPORTED', async () => {
    const { fs } = memoryFs({}, () => 'ENOENT');
    const result = await quietReclaimer(createLocalExecutor({ fs })).reclaim({ method: 'compact_memory' });
    expect(result.steps[0]?.error).toEqual({ code: 'GOV_RECLAIM_UNSUPPORTED', message: 'compact_memory: /proc/sys/vm/compact_memory does not exist; this kernel does not offer it' });
  });

  it('records a sync that timed out or could not start', async () => {
    const timedOut = createLocalExecutor({ fs: memoryFs({}).fs, syncTimeoutMs: 5, timers: expiringTimers().timers, exec: () => new Promise(() => undefined) });
    await expect(timedOut.run({ kind: 'sync' })).rejects.toEqual(new ReclaimError('GOV_RECLAIM_TIMEOUT', 'sync did not finish within 5 ms', { timedOut: true }));
    const missing = createLocalExecutor({ fs: memoryFs({}).fs, exec: async () => Promise.reject(new ExecError('sync could not start (ENOENT)', { file: 'sync', errno: 'ENOENT' })) });
    await expect(missing.run({ kind: 'sync' })).rejects.toMatchObject({ code: 'GOV_RECLAIM_UNSUPPORTED', message: 'sync is not installed (no sync program on PATH)' });
  });

  it('records a sync that failed or was killed', async () => {
    const failing = createLocalExecutor({ fs: memoryFs({}).fs, exec: async () => ({ exitCode: 1, stdout: '', stderr: 'sync: error syncing /mnt: Input/output error\n' }) });
    await expect(failing.run({ kind: 'sync' })).rejects.toEqual(new ReclaimError('GOV_RECLAIM_FAILED', 'sync failed: exit code 1: sync: error syncing /mnt: Input/output error', { exitCode: 1 }));
    const killed = new ExecError('sync was killed by SIGKILL', { file: 'sync', signal: 'SIGKILL' });
    const victim = createLocalExecutor({ fs: memoryFs({}).fs, exec: async () => Promise.reject(killed) });
    await expect(victim.run({ kind: 'sync' })).rejects.toEqual(new ReclaimError('GOV_RECLAIM_FAILED', 'sync failed: sync was killed by SIGKILL', { cause: killed, signal: 'SIGKILL' }));
  });

  it('detects v1 memory and a v2 hierarchy without it from the mount table', async () => {
    const { fs } = memoryFs({
      '/proc/self/mountinfo':
        '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n',
      '/sys/fs/cgroup/unified/cgroup.controllers': '\n',
    });
    expect(await createLocalExecutor({ fs }).readCgroupLayout()).toEqual({ v2Memory: null, v1Memory: '/sys/fs/cgroup/memory' });
  });

  it('falls back to /proc/mounts when mountinfo cannot be read', async () => {
    const { fs } = memoryFs({ '/proc/mounts': 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n', '/sys/fs/cgroup/cgroup.controllers': 'cpu io memory pids\n' });
    expect(await createLocalExecutor({ fs }).readCgroupLayout()).toEqual({ v2Memory: '/sys/fs/cgroup', v1Memory: null });
  });
});

describe('cgroup v2 memory.reclaim on a directory laid out as cgroupfs', () => {
  let dir: string;
  let root: string;
  let mountinfoPath: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'gov-cgroupfs-')));
    root = join(dir, 'cgroup');
    await mkdir(join(root, 'system.slice', 'app.service'), { recursive: true });
    await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    await writeFile(join(root, 'memory.reclaim'), '');
    await writeFile(join(root, 'system.slice', 'app.service', 'memory.reclaim'), '');
    await writeFile(join(root, 'system.slice', 'app.service', 'memory.stat'), 'anon 4194304\nfile 268435456\nkernel 1048576\nshmem 0\n');
    await mkdir(join(dir, 'outside'));
    await writeFile(join(dir, 'outside', 'memory.reclaim'), 'untouched');
    await symlink(join(dir, 'outside'), join(root, 'system.slice', 'escape'));
    mountinfoPath = join(dir, 'mountinfo');
    await writeFile(mountinfoPath, `41 31 0:38 / ${root} rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n`);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds the injected root through the mount table', async () => {
    expect(await createLocalExecutor({ mountinfoPath }).readCgroupLayout()).toEqual({ v2Memory: root, v1Memory: null });
  });

  it('writes exactly "<bytes> swappiness=0" to the cgroup memory.reclaim', async () => {
    const result = await quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/app.service', targetBytes: 512 * MiB });
    expect(await readFile(join(root, 'system.slice', 'app.service', 'memory.reclaim'), 'utf8')).toBe('536870912 swappiness=0');
    expect(await readFile(join(root, 'memory.reclaim'), 'utf8')).toBe('');
    expect(result.steps).toEqual([
      { name: 'cgroup_reclaim', status: 'ok', detail: 'write "536870912 swappiness=0" to memory.reclaim of cgroup system.slice/app.service (v2)', durationMs: 0 },
    ]);
  });

  it('writes the whole machine target to the root memory.reclaim, defaulting to what /proc/meminfo calls reclaimable', async () => {
    const before = meminfo(1024);
    const reclaimer = createReclaimer({ executor: createLocalExecutor({ mountinfoPath }), readMemory: async () => before, lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim' });
    expect(await readFile(join(root, 'memory.reclaim'), 'utf8')).toBe(`${before.reclaimable} swappiness=0`);
    expect(before.reclaimable).toBe(1024 * MiB);
    expect(result.fallback).toBeUndefined();
  });

  it('defaults a cgroup target to its memory.stat file bytes', async () => {
    await quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/app.service' });
    expect(await readFile(join(root, 'system.slice', 'app.service', 'memory.reclaim'), 'utf8')).toBe('268435456 swappiness=0');
  });

  it('writes the byte count alone when the kernel answers EINVAL to "swappiness=0"', async () => {
    const attempts: string[] = [];
    const fs: ReclaimFs = {
      readFile: (path) => readFile(path, 'utf8'),
      realpath: (path) => realpath(path),
      async writeFile(path, data) {
        attempts.push(data);
        // Kernels before 6.5 parse only a byte count.
        if (data.includes('swappiness')) throw systemError('EINVAL', path);
        await writeFile(path, data);
      },
    };
    const result = await quietReclaimer(createLocalExecutor({ fs, mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/app.service', targetBytes: 3 * MiB });
    expect(attempts).toEqual(['3145728 swappiness=0', '3145728']);
    expect(await readFile(join(root, 'system.slice', 'app.service', 'memory.reclaim'), 'utf8')).toBe('3145728');
    expect(result.steps).toEqual([
      { name: 'cgroup_reclaim', status: 'ok', detail: 'write "3145728" to memory.reclaim of cgroup system.slice/app.service (v2); the kernel refused "swappiness=0" (EINVAL)', durationMs: 0 },
    ]);
  });

  it('reports a reclaim the kernel could not complete (EAGAIN) as done, with a note', async () => {
    const fs: ReclaimFs = {
      readFile: (path) => readFile(path, 'utf8'),
      realpath: (path) => realpath(path),
      writeFile: async (path) => Promise.reject(systemError('EAGAIN', path)),
    };
    const result = await quietReclaimer(createLocalExecutor({ fs, mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/app.service', targetBytes: 3 * MiB });
    expect(result.steps[0]).toEqual({
      name: 'cgroup_reclaim',
      status: 'ok',
      detail: 'write "3145728 swappiness=0" to memory.reclaim of cgroup system.slice/app.service (v2); the kernel reclaimed less than the target (EAGAIN)',
      durationMs: 0,
    });
  });

  it('refuses a cgroup whose symlink leaves the root, and writes nothing', async () => {
    const result = await quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/escape', targetBytes: 3 * MiB });
    expect(result.steps).toEqual([
      {
        name: 'cgroup_reclaim',
        status: 'failed',
        error: { code: 'GOV_RECLAIM_INVALID_CGROUP', message: `the cgroup system.slice/escape resolves to ${dir}/outside, outside the cgroup root ${root}; refused` },
        durationMs: 0,
      },
    ]);
    expect(await readFile(join(dir, 'outside', 'memory.reclaim'), 'utf8')).toBe('untouched');
  });

  it('refuses ../ before touching anything', async () => {
    await expect(quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/../../outside', targetBytes: 3 * MiB })).rejects.toMatchObject({
      code: 'GOV_RECLAIM_INVALID_CGROUP',
    });
    expect(await readFile(join(dir, 'outside', 'memory.reclaim'), 'utf8')).toBe('untouched');
  });

  it('names a cgroup that does not exist', async () => {
    const result = await quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/gone', targetBytes: 3 * MiB });
    expect(result.steps[0]?.error).toEqual({ code: 'GOV_RECLAIM_INVALID_CGROUP', message: `there is no cgroup docker/gone under ${root}` });
  });

  it('describes a dry run and leaves the files alone', async () => {
    const result = await quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/app.service', targetBytes: 3 * MiB, dryRun: true });
    expect(result.steps).toEqual([
      { name: 'cgroup_reclaim', status: 'skipped', detail: 'would write "3145728 swappiness=0" to memory.reclaim of cgroup system.slice/app.service (v2)', durationMs: 0 },
    ]);
    expect(await readFile(join(root, 'system.slice', 'app.service', 'memory.reclaim'), 'utf8')).toBe('');
  });

  it('refuses in a dry run the cgroup the real run refuses', async () => {
    const dry = await quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/gone', targetBytes: 3 * MiB, dryRun: true });
    const real = await quietReclaimer(createLocalExecutor({ mountinfoPath })).reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/gone', targetBytes: 3 * MiB });
    expect(dry.steps).toEqual([{ name: 'cgroup_reclaim', status: 'failed', error: { code: 'GOV_RECLAIM_INVALID_CGROUP', message: `there is no cgroup docker/gone under ${root}` }, durationMs: 0 }]);
    expect(dry.steps).toEqual(real.steps);
  });
});

describe('cgroup v1 memory.force_empty', () => {
  it('writes "0" to the cgroup memory.force_empty', async () => {
    const { fs, writes } = memoryFs({ '/proc/self/mountinfo': '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n' });
    const result = await quietReclaimer(createLocalExecutor({ fs })).reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/0123' });
    expect(writes).toEqual([['/sys/fs/cgroup/memory/docker/0123/memory.force_empty', '0']]);
    expect(result.steps[0]?.status).toBe('ok');
  });

  it('refuses in a dry run a cgroup that does not exist, as the real run does', async () => {
    const { fs, writes } = memoryFs({ '/proc/self/mountinfo': '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n' });
    fs.realpath = async (path) => {
      if (path.includes('nonexistent')) throw systemError('ENOENT', path);
      return path;
    };
    const result = await quietReclaimer(createLocalExecutor({ fs })).reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/nonexistent', dryRun: true });
    expect([writes, result.steps]).toEqual([[], [{ name: 'cgroup_reclaim', status: 'failed', error: { code: 'GOV_RECLAIM_INVALID_CGROUP', message: 'there is no cgroup docker/nonexistent under /sys/fs/cgroup/memory' }, durationMs: 0 }]]);
  });
});
