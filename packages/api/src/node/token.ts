import { randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { StateDirError } from './errors.js';
import { stateFiles } from './state-dir.js';
import { assertTrusted, currentOwner, prepareStateDir, READ_FLAGS, refusedLink, type StateDirFs, type StateOwner } from './state-trust.js';

export interface TokenOptions {
  fs?: Pick<typeof nodeFs, 'open' | 'readFile' | 'lstat' | 'chmod'> & StateDirFs;
  randomBytes?: (size: number) => Buffer;
  /** The user govd runs as; default this process's. */
  owner?: StateOwner;
}

/** A token file longer than this is not one govd wrote. */
const MAX_TOKEN_FILE_BYTES = 4096;

/**
 * Returns the API token kept in `stateDir/token`, creating the directory (0700) and the file
 * (`O_EXCL`, 0600, 32 random bytes as hex) at first start. Refuses (`StateDirError`, naming the
 * path, what was found and what is required) a state directory or token file owned by another
 * user or writable by others, and a token file that is a symlink; a token file others can read
 * is tightened to 0600 rather than trusted as is.
 */
export async function ensureToken(stateDir: string, options: TokenOptions = {}): Promise<string> {
  const fs = options.fs ?? nodeFs;
  const owner = options.owner ?? currentOwner();
  const random = options.randomBytes ?? nodeRandomBytes;
  const path = stateFiles(stateDir).token;
  await prepareStateDir(stateDir, { fs, owner });
  try {
    // O_EXCL fails when the file exists (a symlink too), so two starts racing never overwrite each other's token.
    const created = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await created.writeFile(`${random(32).toString('hex')}\n`);
      await created.sync();
    } finally {
      await created.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateDirError(`cannot write the API token ${path}: ${(error as Error).message}`, { cause: error });
  }
  let handle;
  try {
    handle = await fs.open(path, READ_FLAGS);
  } catch (error) {
    const refused = refusedLink(error, path, 'API token');
    throw refused instanceof StateDirError ? refused : new StateDirError(`cannot read the API token ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const stat = await handle.stat();
    assertTrusted(stat, path, owner, 'file', 'API token');
    if ((stat.mode & 0o077) !== 0) await handle.chmod(0o600);
    if (stat.size > MAX_TOKEN_FILE_BYTES) throw new StateDirError(`cannot read the API token ${path}: the file holds ${stat.size} bytes, more than a token`);
    const token = (await handle.readFile('utf8')).trim();
    if (token.length < 16) throw new StateDirError(`cannot read the API token ${path}: the file holds fewer than 16 characters`);
    return token;
  } finally {
    await handle.close();
  }
}

/**
 * Checks the token file govd serves with, at run time: a file made readable by others is
 * tightened back to 0600 (`tightened`); one replaced by a symlink, another user's file or
 * nothing is reported (`problem`) and left as it is — govd keeps the token it started with.
 */
export async function guardToken(stateDir: string, options: { fs?: Pick<typeof nodeFs, 'lstat' | 'chmod'>; owner?: StateOwner } = {}): Promise<{ tightened: boolean; problem: string | null }> {
  const fs = options.fs ?? nodeFs;
  const owner = options.owner ?? currentOwner();
  const path = stateFiles(stateDir).token;
  try {
    const stat = await fs.lstat(path);
    if (stat.isSymbolicLink()) return { tightened: false, problem: `the API token ${path} was replaced by a symlink` };
    assertTrusted(stat, path, owner, 'file', 'API token');
    if ((stat.mode & 0o077) === 0) return { tightened: false, problem: null };
    await fs.chmod(path, 0o600);
    return { tightened: true, problem: null };
  } catch (error) {
    return { tightened: false, problem: (error as Error).message };
  }
}

/**
 * The token govd wrote in `stateDir`, for a client on the same machine; `problem` says why it
 * could not be read (e.g. not the user govd runs as).
 */
export async function readToken(stateDir: string, options: { fs?: Pick<typeof nodeFs, 'readFile'> } = {}): Promise<{ token: string | null; problem: string | null }> {
  const fs = options.fs ?? nodeFs;
  try {
    return { token: (await fs.readFile(stateFiles(stateDir).token, 'utf8')).trim(), problem: null };
  } catch (error) {
    return { token: null, problem: (error as Error).message };
  }
}

/** Compares an `Authorization` header with the token in constant time. */
export function isAuthorized(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1] as string);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
