import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { formatHistoryLine, parseHistory, resolveStateDir, type GovConfig, type HistoryRecord } from '@gov/policies';
import { homeOf } from '../config-file.js';
import type { CliIo } from '../io.js';

/** The history file govd writes in its state directory, and the one before the last rotation. */
export const HISTORY_FILE = 'history.jsonl';

/** How long `gov` waits for govd before it reads or writes the files itself. */
export const DAEMON_TIMEOUT_MS = 2000;

export type HistoryFs = Pick<typeof nodeFs, 'readFile' | 'open' | 'mkdir'>;

/** What `gov history` and `gov feedback` need besides the CLI's io: injectable for tests. */
export interface DaemonClientOptions {
  fetch?: typeof globalThis.fetch;
  fs?: HistoryFs;
  now?: () => Date;
}

/** Where govd answers for a config: its `daemon.listen`, with a wildcard address made reachable. */
export function daemonUrl(config: GovConfig): string {
  const listen = config.daemon.listen;
  const index = listen.lastIndexOf(':');
  let host = listen.slice(0, index);
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '[::]') host = '[::1]';
  return `http://${host}:${listen.slice(index + 1)}`;
}

export function stateDirOf(config: GovConfig, io: CliIo): string {
  return resolveStateDir(config, homeOf(io));
}

/** True when nothing answers at the address (govd is not running there). */
function isUnreachable(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown }).code;
  return ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'].includes(String(code)) || (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
}

/** A govd answer that is not a success: the API's JSON error, kept for the message. */
export class DaemonRequestError extends Error {
  override readonly name = 'DaemonRequestError';
  readonly code: string;
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(message);
    this.code = code;
  }
}

/**
 * Sends one request to govd. Resolves `null` when govd does not answer at all (not running),
 * the parsed JSON on success, and rejects with `DaemonRequestError` for an error answer.
 */
export async function requestDaemon<T>(url: string, init: RequestInit, options: DaemonClientOptions = {}): Promise<T | null> {
  const fetcher = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetcher(url, { ...init, signal: AbortSignal.timeout(DAEMON_TIMEOUT_MS) });
  } catch (error) {
    if (isUnreachable(error)) return null;
    throw error;
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DaemonRequestError(response.status, 'GOV_CLI_DAEMON_ANSWER', `${url} answered ${response.status} with something that is not govd's JSON`);
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } }).error;
    throw new DaemonRequestError(response.status, error?.code ?? 'GOV_CLI_DAEMON_ANSWER', `govd answered ${response.status}: ${error?.message ?? text}`);
  }
  return body as T;
}

/** The token govd wrote (mode 0600) in its state directory; `null` when it cannot be read. */
async function readToken(stateDir: string): Promise<{ token: string | null; problem: string | null }> {
  try {
    return { token: (await nodeFs.readFile(join(stateDir, 'token'), 'utf8')).trim(), problem: null };
  } catch (error) {
    return { token: null, problem: (error as Error).message };
  }
}

/**
 * POSTs JSON to one of govd's mutating routes with the token from its state directory.
 * Resolves `null` when govd does not answer; a 401 while the token file cannot be read says
 * how to fix it.
 */
export async function postToDaemon<T>(url: string, route: string, body: unknown, stateDir: string, options: DaemonClientOptions = {}): Promise<T | null> {
  const { token, problem } = await readToken(stateDir);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  try {
    return await requestDaemon<T>(`${url}${route}`, { method: 'POST', headers, body: JSON.stringify(body) }, options);
  } catch (error) {
    if ((error as { status?: number }).status === 401 && problem) {
      throw Object.assign(new Error(`govd at ${url} needs its API token, and ${join(stateDir, 'token')} cannot be read (${problem}); run gov as the user govd runs as (e.g. with sudo)`), { code: 'GOV_CLI_TOKEN' });
    }
    throw error;
  }
}

async function readIfExists(fs: HistoryFs, path: string): Promise<string> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** The last `limit` records of the history files in `stateDir` (previous file first). */
export async function readHistoryFiles(stateDir: string, limit: number, fs: HistoryFs = nodeFs): Promise<{ records: HistoryRecord[]; skipped: number }> {
  const path = join(stateDir, HISTORY_FILE);
  const previous = parseHistory(await readIfExists(fs, `${path}.1`));
  const current = parseHistory(await readIfExists(fs, path));
  const records = [...previous.records, ...current.records];
  return { records: records.slice(Math.max(0, records.length - limit)), skipped: previous.skipped + current.skipped };
}

/**
 * Appends one record to the history file as govd does (one fsync'd line), for when govd is
 * not running. A torn last line left by a crash is ended first, so the record stays readable.
 */
export async function appendHistoryFile(stateDir: string, record: HistoryRecord, fs: HistoryFs = nodeFs): Promise<string> {
  const path = join(stateDir, HISTORY_FILE);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const handle = await fs.open(path, 'a+', 0o600);
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.write(prefix + formatHistoryLine(record));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return path;
}
