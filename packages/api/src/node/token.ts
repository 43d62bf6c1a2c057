import { randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { StateDirError } from './errors.js';
import { stateFiles } from './state-dir.js';

export interface TokenOptions {
  fs?: Pick<typeof nodeFs, 'mkdir' | 'readFile' | 'writeFile' | 'stat' | 'chmod'>;
  randomBytes?: (size: number) => Buffer;
}

/**
 * Returns the API token kept in `stateDir/token`, creating the directory (0700) and the file
 * (0600, 32 random bytes as hex) at first start. A token file readable by others is tightened
 * to 0600 rather than trusted as is.
 */
export async function ensureToken(stateDir: string, options: TokenOptions = {}): Promise<string> {
  const fs = options.fs ?? nodeFs;
  const random = options.randomBytes ?? nodeRandomBytes;
  const path = stateFiles(stateDir).token;
  try {
    await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StateDirError(`cannot create the state directory ${stateDir}: ${(error as Error).message}`, { cause: error });
  }
  try {
    // `wx` fails when the file exists, so two starts racing never overwrite each other's token.
    await fs.writeFile(path, `${random(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new StateDirError(`cannot write the API token ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    const stat = await fs.stat(path);
    if ((stat.mode & 0o077) !== 0) await fs.chmod(path, 0o600);
    const token = (await fs.readFile(path, 'utf8')).trim();
    if (token.length < 16) throw new Error('the file holds fewer than 16 characters');
    return token;
  } catch (error) {
    throw new StateDirError(`cannot read the API token ${path}: ${(error as Error).message}`, { cause: error });
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
