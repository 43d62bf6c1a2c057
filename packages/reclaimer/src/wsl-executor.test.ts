import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecError, type Exec, type ExecResult } from '@gov/io';
import { parseLinuxMemory } from '@gov/meminfo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReclaimError } from './errors.js';
import { createReclaimLock } from './lock.js';
import { createReclaimer } from './reclaimer.js';
import { createWslExecutor, validateDistro, wslArgv } from './wsl-executor.js';

const MiB = 1024 ** 2;

// A stand-in for wsl.exe: records its argv (one JSON array per line) and answers like WSL would.
const STAND_IN = `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const args = process.argv.slice(2);
appendFileSync(process.env.GOV_WSL_LOG, JSON.stringify(args) + '\\n');
const mode = process.env.GOV_WSL_MODE || 'ok';
const script = args[args.indexOf('-c') + 1] || '';
if (mode === 'no-distro') {
  process.stdout.write(Buffer.from('There is no distribution with the supplied name.\\r\\nError code: Wsl/Service/WSL_E_DISTRO_NOT_FOUND\\r\\n', 'utf16le'));
  process.exit(1);
}
if (mode === 'denied' && args.includes('sh')) {
  process.stderr.write('sh: 1: cannot create /proc/sys/vm/drop_caches: Permission denied\\n');
  process.exit(2);
}
if (mode === 'old-kernel' && script.includes('swappiness')) {
  process.stderr.write('sh: 1: echo: echo: I/O error\\n');
  process.exit(1);
}
if (args.includes('/proc/self/mountinfo')) {
  process.stdout.write('35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\\n');
} else if (args.includes('/sys/fs/cgroup/cgroup.controllers')) {
  process.stdout.write('cpuset cpu io memory hugetlb pids rdma misc\\n');
}
`;

describe('createWslExecutor with a stand-in wsl.exe on PATH', () => {
  let dir: string;
  let log: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-wsl-'));
    log = join(dir, 'argv.log');
    await writeFile(join(dir, 'wsl.exe'), STAND_IN);
    await chmod(join(dir, 'wsl.exe'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function run(mode: string, request: Parameters<ReturnType<typeof createReclaimer>['reclaim']>[0]) {
    await writeFile(log, '');
    const executor = createWslExecutor({ distro: 'Ubuntu-24.04', env: { PATH: `${dir}:${process.env['PATH'] ?? ''}`, GOV_WSL_LOG: log, GOV_WSL_MODE: mode } });
    const memory = parseLinuxMemory('MemTotal: 16777216 kB\nMemFree: 1048576 kB\nCached: 2097152 kB\n');
    const result = await createReclaimer({ executor, readMemory: async () => memory, lock: createReclaimLock(), now: () => 0 }).reclaim(request);
    const argvs = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]);
    return { result, argvs };
  }

  it('runs full as fixed argv: sync, drop_caches 1, compact_memory', async () => {
    const { result, argvs } = await run('ok', { method: 'full' });
    expect(argvs).toEqual([
      ['-d', 'Ubuntu-24.04', '-u', 'root', '-e', 'sync'],
      ['-d', 'Ubuntu-24.04', '-u', 'root', '-e', 'sh', '-c', 'echo 1 > /proc/sys/vm/drop_caches'],
      ['-d', 'Ubuntu-24.04', '-u', 'root', '-e', 'sh', '-c', 'echo 1 > /proc/sys/vm/compact_memory'],
    ]);
    expect(result.steps.map((step) => [step.name, step.status, step.detail])).toEqual([
      ['sync', 'ok', 'wsl.exe -d Ubuntu-24.04 -u root -e sync'],
      ['drop_caches', 'ok', `wsl.exe -d Ubuntu-24.04 -u root -e sh -c 'echo 1 > /proc/sys/vm/drop_caches'`],
      ['compact_memory', 'ok', `wsl.exe -d Ubuntu-24.04 -u root -e sh -c 'echo 1 > /proc/sys/vm/compact_memory'`],
    ]);
  });

  it('passes the byte count as its own argument after the fixed script, never inside it', async () => {
    const { result, argvs } = await run('ok', { method: 'cgroup_reclaim', targetBytes: 512 * MiB });
    expect(argvs).toEqual([
      ['-d', 'Ubuntu-24.04', '-e', 'cat', '/proc/self/mountinfo'],
      ['-d', 'Ubuntu-24.04', '-e', 'cat', '/sys/fs/cgroup/cgroup.controllers'],
      ['-d', 'Ubuntu-24.04', '-u', 'root', '-e', 'sh', '-c', 'echo "$1 swappiness=0" > /sys/fs/cgroup/memory.reclaim', 'gov', '536870912'],
    ]);
    expect(result.steps.map((step) => step.status)).toEqual(['ok']);
    expect(result.fallback).toBeUndefined();
  });

  it('falls back to the byte count alone when the guest kernel refuses "swappiness=0"', async () => {
    const { result, argvs } = await run('old-kernel', { method: 'cgroup_reclaim', targetBytes: 2 * MiB });
    expect(argvs.slice(2)).toEqual([
      ['-d', 'Ubuntu-24.04', '-u', 'root', '-e', 'sh', '-c', 'echo "$1 swappiness=0" > /sys/fs/cgroup/memory.reclaim', 'gov', '2097152'],
      ['-d', 'Ubuntu-24.04', '-u', 'root', '-e', 'sh', '-c', 'echo "$1" > /sys/fs/cgroup/memory.reclaim', 'gov', '2097152'],
    ]);
    expect(result.steps[0]?.status).toBe('ok');
  });

  it('records a permission failure in the step, with what the guest said', async () => {
    const { result } = await run('denied', { method: 'drop_caches', sync: false });
    expect(result.steps).toEqual([
      {
        name: 'drop_caches',
        status: 'failed',
        error: {
          code: 'GOV_RECLAIM_PERMISSION',
          message: 'drop_caches: permission denied in Ubuntu-24.04 (sh: 1: cannot create /proc/sys/vm/drop_caches: Permission denied); gov runs it with `-u root`, so check that the distribution allows root',
        },
        durationMs: 0,
      },
    ]);
  });

  it('reads wsl.exe messages written in UTF-16LE', async () => {
    const { result } = await run('no-distro', { method: 'compact_memory' });
    expect(result.steps[0]?.error).toEqual({ code: 'GOV_RECLAIM_UNSUPPORTED', message: 'WSL has no distribution named Ubuntu-24.04; list them with `wsl --list`' });
  });

  it('refuses a named cgroup from Windows without starting anything', async () => {
    const { result, argvs } = await run('ok', { method: 'cgroup_reclaim', cgroup: 'docker/abc', targetBytes: 2 * MiB });
    expect(argvs).toEqual([
      ['-d', 'Ubuntu-24.04', '-e', 'cat', '/proc/self/mountinfo'],
      ['-d', 'Ubuntu-24.04', '-e', 'cat', '/sys/fs/cgroup/cgroup.controllers'],
    ]);
    expect(result.steps[0]?.error?.code).toBe('GOV_RECLAIM_UNSUPPORTED');
  });
});

describe('createWslExecutor failures', () => {
  const answer = (result: Partial<ExecResult>): Exec => async () => ({ exitCode: 0, stdout: '', stderr: '', ...result });

  it('reports a missing wsl.exe as GOV_RECLAIM_UNSUPPORTED', async () => {
    const executor = createWslExecutor({ distro: 'Ubuntu', exec: async () => Promise.reject(new ExecError('wsl.exe could not start (ENOENT)', { file: 'wsl.exe', errno: 'ENOENT' })) });
    await expect(executor.run({ kind: 'compact_memory' })).rejects.toEqual(new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'wsl.exe was not found on PATH: WSL is not installed', { errno: 'ENOENT' }));
  });

  it('reports a timeout as GOV_RECLAIM_TIMEOUT', async () => {
    const timers = { setTimeout: (callback: () => void) => queueMicrotask(callback), clearTimeout: () => undefined };
    const executor = createWslExecutor({ distro: 'Ubuntu', timeoutMs: 50, timers, exec: () => new Promise(() => undefined) });
    await expect(executor.run({ kind: 'sync' })).rejects.toEqual(new ReclaimError('GOV_RECLAIM_TIMEOUT', 'sync: wsl.exe did not finish within 50 ms', { timedOut: true }));
  });

  it('reports a wsl.exe that a signal killed as GOV_RECLAIM_FAILED with the signal', async () => {
    const killed = new ExecError('wsl.exe was killed by SIGTERM', { file: 'wsl.exe', signal: 'SIGTERM' });
    const executor = createWslExecutor({ distro: 'Ubuntu', exec: async () => Promise.reject(killed) });
    await expect(executor.run({ kind: 'sync' })).rejects.toEqual(new ReclaimError('GOV_RECLAIM_FAILED', 'sync: wsl.exe was killed by SIGTERM', { cause: killed, signal: 'SIGTERM' }));
  });

  it('reports an old wsl.exe without -u/-e as GOV_RECLAIM_UNSUPPORTED with the fix', async () => {
    const executor = createWslExecutor({ distro: 'Ubuntu', exec: answer({ exitCode: 4294967295, stdout: 'Invalid command line argument: -u\r\n' }) });
    await expect(executor.run({ kind: 'sync' })).rejects.toMatchObject({
      code: 'GOV_RECLAIM_UNSUPPORTED',
      message: "this Windows build's wsl.exe does not accept -d/-u/-e (Invalid command line argument: -u); update WSL with `wsl --update`",
    });
  });

  it('reports a partial memory.reclaim (EAGAIN) as done with a note', async () => {
    const executor = createWslExecutor({ distro: 'Ubuntu', exec: answer({ exitCode: 1, stderr: 'sh: 1: echo: echo: Resource temporarily unavailable\n' }) });
    expect(await executor.run({ kind: 'memory_reclaim', cgroup: '', bytes: 2 * MiB, swappiness: true })).toEqual({ note: 'the kernel reclaimed less than the target (EAGAIN)' });
  });

  it('keeps "Invalid argument" as errno EINVAL', async () => {
    const executor = createWslExecutor({ distro: 'Ubuntu', exec: answer({ exitCode: 1, stderr: 'sh: echo: write error: Invalid argument\n' }) });
    await expect(executor.run({ kind: 'memory_reclaim', cgroup: '', bytes: 2 * MiB, swappiness: true })).rejects.toMatchObject({ code: 'GOV_RECLAIM_FAILED', errno: 'EINVAL' });
  });
});

describe('validateDistro and wslArgv', () => {
  it.each(['Ubuntu', 'Ubuntu-24.04', 'docker-desktop', 'my_distro.1'])('accepts %j', (name) => expect(validateDistro(name)).toBe(name));
  it.each(['', 'Ubuntu 24.04', 'a;reboot', '-u', `${'x'.repeat(65)}`, 'Ubuntu\n'])('refuses %j', (name) => {
    expect(() => validateDistro(name)).toThrow(ReclaimError);
    expect(() => createWslExecutor({ distro: name })).toThrow(expect.objectContaining({ code: 'GOV_RECLAIM_INVALID_DISTRO' }));
  });

  it('refuses a distro name that looks like an option', () => {
    expect(() => wslArgv('--exec', { kind: 'sync' })).toThrow(expect.objectContaining({ code: 'GOV_RECLAIM_INVALID_DISTRO' }));
  });
});
