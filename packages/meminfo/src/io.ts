import { readFile } from 'node:fs/promises';
import { MeminfoSourceError } from './errors.js';

/** The file reads the sources need; the default wraps `node:fs/promises`. */
export interface MeminfoFs {
  readFile(path: string, options: { signal: AbortSignal }): Promise<string>;
}

/** Timer functions, injectable so tests can drive timeouts without waiting. */
export interface MeminfoTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeFs: MeminfoFs = {
  readFile: (path, options) => readFile(path, { encoding: 'utf8', signal: options.signal }),
};

export const globalTimers: MeminfoTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs one source read with a deadline: the work gets an AbortSignal that fires at the
 * deadline, and the caller gets a `GOV_MEMINFO_TIMEOUT` error then, whether or not the work stops.
 */
export async function withTimeout<T>(
  source: string,
  what: string,
  timeoutMs: number,
  timers: MeminfoTimers,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let handle: unknown;
  const deadline = new Promise<never>((_, reject) => {
    handle = timers.setTimeout(() => {
      controller.abort();
      reject(new MeminfoSourceError(`${what} did not answer within ${timeoutMs} ms`, { code: 'GOV_MEMINFO_TIMEOUT', source }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    timers.clearTimeout(handle);
  }
}

/** Whether an error from `fs` means the file does not exist (as opposed to unreadable). */
export function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads one text file; any failure becomes a `GOV_MEMINFO_READ_FAILED` naming the path. */
export async function readText(fs: MeminfoFs, path: string, source: string, signal: AbortSignal): Promise<string> {
  try {
    return await fs.readFile(path, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new MeminfoSourceError(`cannot read ${path}: ${reason}`, { code: 'GOV_MEMINFO_READ_FAILED', source, cause: error });
  }
}
