import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { dirname } from 'node:path';
import { StateDirError } from './errors.js';

/** What a state entry's owner and mode are checked against. */
export interface StateOwner {
  /** The user govd runs as (`process.getuid()`); `null` where there are no owners to check (Windows). */
  uid: number | null;
}

/** The user this process runs as, or `null` where the platform has no uids. */
export function currentOwner(): StateOwner {
  return { uid: typeof process.getuid === 'function' ? process.getuid() : null };
}

/** The stat fields the checks read. */
export interface EntryStat {
  uid: number;
  mode: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink?(): boolean;
}

const octal = (mode: number) => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;

/**
 * Why an entry of the state directory cannot be trusted, or `null`: it must be owned by govd's
 * user and writable by no one else; a regular file where a file is expected, a directory where a
 * directory is.
 */
export function untrustedBecause(stat: EntryStat, owner: StateOwner, kind: 'file' | 'directory'): string | null {
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return `is not a ${kind === 'file' ? 'regular file' : 'directory'}`;
  if (owner.uid === null) return null;
  if (stat.uid !== owner.uid) return `is owned by uid ${stat.uid} (mode ${octal(stat.mode)}); it must be owned by uid ${owner.uid}, the user govd runs as`;
  if ((stat.mode & 0o022) !== 0) return `is writable by ${(stat.mode & 0o002) !== 0 ? 'others' : 'its group'} (mode ${octal(stat.mode)}); it must be writable by its owner only (chmod go-w)`;
  return null;
}

/** Throws a `StateDirError` naming the entry and what is wrong with it when it cannot be trusted. */
export function assertTrusted(stat: EntryStat, path: string, owner: StateOwner, kind: 'file' | 'directory', what: string): void {
  const problem = untrustedBecause(stat, owner, kind);
  if (problem) throw new StateDirError(`refusing the ${what} ${path}: it ${problem}`);
}

export type StateDirFs = Pick<typeof nodeFs, 'mkdir' | 'lstat' | 'stat'>;

/**
 * Creates the state directory (0700) when it is missing and checks that it can be trusted: a
 * directory owned by govd's user, writable by no one else, in a parent others cannot write to
 * (unless the parent is sticky, as `/tmp` is), reached through no symlink someone else owns.
 * Throws `StateDirError` naming the path, what was found and what is required.
 */
export async function prepareStateDir(dir: string, options: { fs?: StateDirFs; owner?: StateOwner } = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const owner = options.owner ?? currentOwner();
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StateDirError(`cannot create the state directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if (owner.uid === null) return;
  const link = await fs.lstat(dir);
  if (link.isSymbolicLink() && link.uid !== owner.uid && link.uid !== 0) {
    throw new StateDirError(`refusing the state directory ${dir}: it is a symlink owned by uid ${link.uid}; it must be a directory, or a symlink owned by uid ${owner.uid} or root`);
  }
  assertTrusted(await fs.stat(dir), dir, owner, 'directory', 'state directory');
  const parent = dirname(dir);
  if (parent !== dir) {
    const parentStat = await fs.stat(parent);
    if ((parentStat.mode & 0o002) !== 0 && (parentStat.mode & 0o1000) === 0) {
      throw new StateDirError(`refusing the state directory ${dir}: its parent ${parent} is writable by others without the sticky bit (mode ${octal(parentStat.mode)}), so anyone could replace it`);
    }
  }
}

/** Flags of a state file opened for reading: never through a symlink, never blocking (a FIFO). */
export const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A symlink met where `O_NOFOLLOW` refused it, as a `StateDirError`; other errors as they are. */
export function refusedLink(error: unknown, path: string, what: string): unknown {
  if ((error as NodeJS.ErrnoException).code === 'ELOOP') return new StateDirError(`refusing the ${what} ${path}: it is a symlink; govd never follows one in its state directory`, { cause: error });
  return error;
}
