import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReclaimError } from './errors.js';
import { createFileReclaimLock } from './file-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-reclaim-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('createFileReclaimLock', () => {
  it('writes its pid and start time in a new file, and removes it on release', async () => {
    const path = join(dir, 'state', 'reclaim.lock');
    const lock = createFileReclaimLock({ path, pid: process.pid });
    const release = await lock.acquire('fail');
    const holder = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect({ ...holder, since: undefined }).toEqual({ pid: process.pid, start: expect.stringMatching(/^\d+$/), since: undefined });
    await Promise.all([release(), release()]);
    expect(await readdir(join(dir, 'state'))).toEqual([]);
  });

  it('refuses, or queues, a second caller while a process that runs holds the file', async () => {
    const path = join(dir, 'reclaim.lock');
    // Another process (pid 1 always runs) holds the lock.
    await writeFile(path, `${JSON.stringify({ pid: 1, start: null })}\n`);
    const lock = createFileReclaimLock({ path, pid: process.pid, pollMs: 10 });
    await expect(lock.acquire('fail')).rejects.toEqual(new ReclaimError('GOV_RECLAIM_BUSY', `another reclaim is running (process 1 holds ${path}); try again when it has finished`, { path }));
    expect(lock.busy).toBe(false);
    let acquired = false;
    const waiting = lock.acquire('wait').then((release) => {
      acquired = true;
      return release;
    });
    await new Promise((done) => setTimeout(done, 100));
    expect(acquired).toBe(false);
    await rm(path);
    const release = await waiting;
    expect((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    release();
  });

  it('takes over the lock of a process that has exited', async () => {
    const path = join(dir, 'reclaim.lock');
    const gone = deadPid();
    await writeFile(path, `${JSON.stringify({ pid: gone, start: '1' })}\n`);
    const release = await createFileReclaimLock({ path }).acquire('fail');
    expect((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    release();
  });

  it('takes over the lock of a pid that now belongs to a later process', async () => {
    const path = join(dir, 'reclaim.lock');
    await writeFile(path, `${JSON.stringify({ pid: 1, start: 'not-the-start-of-pid-1' })}\n`);
    const release = await createFileReclaimLock({ path, pid: process.pid }).acquire('fail');
    expect((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    release();
  });

  it('takes over a file left by an earlier process with this very pid (a restarted container)', async () => {
    const path = join(dir, 'reclaim.lock');
    await writeFile(path, `${JSON.stringify({ pid: 4242, start: null })}\n`);
    const release = await createFileReclaimLock({ path, pid: 4242, startOf: async () => null }).acquire('fail');
    release();
  });

  it('treats an unreadable file as held until it is old, then as stale', async () => {
    const path = join(dir, 'reclaim.lock');
    await writeFile(path, '{"pi');
    await expect(createFileReclaimLock({ path }).acquire('fail')).rejects.toMatchObject({ code: 'GOV_RECLAIM_BUSY', message: `another reclaim is running (another process holds ${path}); try again when it has finished` });
    const release = await createFileReclaimLock({ path, unreadableStaleMs: -1 }).acquire('fail');
    release();
  });

  it('never follows a symlink planted at its path', async () => {
    const path = join(dir, 'reclaim.lock');
    const victim = join(dir, 'victim');
    await writeFile(victim, 'precious\n');
    await symlink(victim, path);
    await expect(createFileReclaimLock({ path }).acquire('fail')).rejects.toMatchObject({ name: 'ReclaimError', code: 'GOV_RECLAIM_PERMISSION', message: `cannot take the reclaim lock ${path} (ELOOP); run as the user govd runs as` });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
  });

  it('queues the callers of one process in order', async () => {
    const path = join(dir, 'reclaim.lock');
    const lock = createFileReclaimLock({ path });
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map(async (n) => {
        const release = await lock.acquire('wait');
        order.push(n);
        await new Promise((done) => setTimeout(done, 5));
        await release();
      }),
    );
    expect(order).toEqual([1, 2, 3]);
  });
});
