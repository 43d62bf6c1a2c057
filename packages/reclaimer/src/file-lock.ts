import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoOf, systemTimers, type Timers } from '@gov/io';
import { ReclaimError } from './errors.js';
import { createReclaimLock, type ReclaimLock } from './lock.js';

/** The file calls the lock makes; `node:fs/promises` by default. */
export type LockFs = Pick<typeof nodeFs, 'open' | 'readFile' | 'unlink' | 'lstat' | 'mkdir'>;

export interface FileReclaimLockOptions {
  /** The lock file, e.g. `<state_dir>/reclaim.lock`; its directory is created (0700) when missing. */
  path: string;
  fs?: LockFs;
  /** This process; default `process.pid`. */
  pid?: number;
  /** How often a waiting caller looks at the file again; default 100 ms. */
  pollMs?: number;
  timers?: Timers;
  /** Whether a process runs; default `process.kill(pid, 0)` (EPERM: it runs, as another user). */
  isRunning?: (pid: number) => boolean;
  /** What tells a process from a later one with the same pid; default its start time from `/proc/<pid>/stat`, `null` where there is none. */
  startOf?: (pid: number) => Promise<string | null>;
  /** A lock file whose holder cannot be read (torn while written) counts as stale after this long; default 10 s. */
  unreadableStaleMs?: number;
}

/** Who holds the lock, as its file says. */
interface Holder {
  pid: number;
  start: string | null;
}

function defaultIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), after the `comm` field, which may hold spaces and parentheses. */
async function procStartOf(fs: LockFs, pid: number): Promise<string | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function parseHolder(text: string): Holder | null {
  try {
    const value = JSON.parse(text) as { pid?: unknown; start?: unknown };
    if (typeof value.pid !== 'number' || !Number.isSafeInteger(value.pid) || value.pid <= 0) return null;
    return { pid: value.pid, start: typeof value.start === 'string' ? value.start : null };
  } catch {
    return null;
  }
}

/**
 * A reclaim lock shared by every process that names the same file: govd and `gov reclaim` never
 * reclaim at once. The file is created with `O_EXCL` (so never through a symlink) and holds the
 * holder's pid and start time; a lock whose holder has exited — or whose pid now belongs to a
 * later process — is stale and taken over. Callers of one process queue in memory first, so
 * `wait` is fair among them; across processes a waiting caller looks again every `pollMs`.
 */
export function createFileReclaimLock(options: FileReclaimLockOptions): ReclaimLock {
  const fs = options.fs ?? nodeFs;
  const { path } = options;
  const pid = options.pid ?? process.pid;
  const pollMs = options.pollMs ?? 100;
  const timers = options.timers ?? systemTimers;
  const isRunning = options.isRunning ?? defaultIsRunning;
  const startOf = options.startOf ?? ((id: number) => procStartOf(fs, id));
  const unreadableStaleMs = options.unreadableStaleMs ?? 10_000;
  const inProcess = createReclaimLock();
  let ownStart: Promise<string | null> | undefined;

  const permission = (error: unknown) =>
    new ReclaimError('GOV_RECLAIM_PERMISSION', `cannot take the reclaim lock ${path} (${errnoOf(error) ?? (error as Error).message}); run as the user govd runs as`, { cause: error, errno: errnoOf(error), path });

  /** Creates the file; false when it exists. */
  async function create(): Promise<boolean> {
    const content = `${JSON.stringify({ pid, start: await (ownStart ??= startOf(pid)), since: new Date().toISOString() })}\n`;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
        try {
          await handle.writeFile(content);
        } finally {
          await handle.close();
        }
        return true;
      } catch (error) {
        const errno = errnoOf(error);
        if (errno === 'EEXIST') return false;
        if (errno === 'ENOENT' && attempt === 0) {
          await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch((mkdirError: unknown) => {
            throw permission(mkdirError);
          });
          continue;
        }
        throw permission(error);
      }
    }
  }

  /** The holder and the file's inode, or `null` when the file is gone. */
  async function readLock(): Promise<{ holder: Holder | null; ino: number; ageMs: number } | null> {
    let handle;
    try {
      handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return null;
      throw permission(error);
    }
    try {
      const stat = await handle.stat();
      const text = stat.isFile() && stat.size <= 4096 ? await handle.readFile('utf8') : '';
      return { holder: parseHolder(text), ino: stat.ino, ageMs: Date.now() - stat.mtimeMs };
    } finally {
      await handle.close();
    }
  }

  async function isStale(lock: { holder: Holder | null; ageMs: number }): Promise<boolean> {
    const { holder } = lock;
    if (!holder) return lock.ageMs > unreadableStaleMs;
    // This process holds the in-process lock while it looks: a file naming it is left over (a pid reused by a restart).
    if (holder.pid === pid || !isRunning(holder.pid)) return true;
    if (holder.start === null) return false;
    const start = await startOf(holder.pid);
    return start !== null && start !== holder.start;
  }

  /** Removes a stale file, unless another process replaced it meanwhile. */
  async function breakStale(ino: number): Promise<void> {
    try {
      if ((await fs.lstat(path)).ino !== ino) return;
      await fs.unlink(path);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw permission(error);
    }
  }

  async function removeOwn(): Promise<void> {
    try {
      const lock = await readLock();
      if (lock?.holder?.pid === pid) await fs.unlink(path);
    } catch {
      // Nothing to do: a lock file left behind names a process that has ended, and is taken over.
    }
  }

  const sleep = () => new Promise<void>((resolve) => timers.setTimeout(resolve, pollMs));

  return {
    get busy() {
      return inProcess.busy;
    },
    async acquire(whenBusy) {
      const releaseInProcess = await inProcess.acquire(whenBusy);
      try {
        for (;;) {
          if (await create()) {
            let released: Promise<void> | undefined;
            return () => (released ??= removeOwn().finally(releaseInProcess));
          }
          const lock = await readLock();
          if (lock === null) continue;
          if (await isStale(lock)) {
            await breakStale(lock.ino);
            continue;
          }
          if (whenBusy === 'fail') {
            const who = lock.holder ? `process ${lock.holder.pid}` : 'another process';
            throw new ReclaimError('GOV_RECLAIM_BUSY', `another reclaim is running (${who} holds ${path}); try again when it has finished`, { path });
          }
          await sleep();
        }
      } catch (error) {
        releaseInProcess();
        throw error;
      }
    },
  };
}
