import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs';
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

// The callback form: for small /proc files it costs markedly less than `fs/promises`, whose
// FileHandle round-trips dominate a read that the kernel answers in microseconds.
export const nodeFs: MeminfoFs = {
  readFile: (path, options) =>
    new Promise((resolve, reject) => {
      readFile(path, { encoding: 'utf8', signal: options.signal }, (error, text) => (error ? reject(error) : resolve(text)));
    }),
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

/** One deadline shared by several reads: a single timer and AbortSignal for all of them. */
export interface Deadline {
  signal: AbortSignal;
  /** Races `work` against the deadline; at the deadline it rejects with `GOV_MEMINFO_TIMEOUT` for `source`. */
  race<T>(source: string, what: string, work: Promise<T>): Promise<T>;
  clear(): void;
}

export function createDeadline(timeoutMs: number, timers: MeminfoTimers): Deadline {
  const controller = new AbortController();
  let expire: () => void = () => undefined;
  const expired = new Promise<void>((resolve) => (expire = resolve));
  const handle = timers.setTimeout(() => {
    controller.abort();
    expire();
  }, timeoutMs);
  return {
    signal: controller.signal,
    race: (source, what, work) =>
      Promise.race([
        work,
        expired.then(() => {
          throw new MeminfoSourceError(`${what} did not answer within ${timeoutMs} ms`, { code: 'GOV_MEMINFO_TIMEOUT', source });
        }),
      ]),
    clear: () => timers.clearTimeout(handle),
  };
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

/** What a helper program printed; stdout/stderr already decoded (UTF-8, or UTF-16LE as `wsl.exe` writes its own messages). */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a program with a fixed argv, never through a shell. Resolves with its output whatever its
 * exit code; rejects only when it cannot start. Killed when `signal` aborts.
 */
export type MeminfoExec = (file: string, args: readonly string[], options: { signal: AbortSignal }) => Promise<ExecResult>;

/** Decodes program output: UTF-16LE when it carries a BOM or NUL high bytes (wsl.exe), UTF-8 otherwise. */
export function decodeOutput(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  if (buffer.length >= 2 && buffer.length % 2 === 0 && buffer[1] === 0 && buffer[0] !== 0) {
    let zeros = 0;
    for (let index = 1; index < buffer.length; index += 2) if (buffer[index] === 0) zeros += 1;
    if (zeros * 2 >= buffer.length / 2) return buffer.toString('utf16le');
  }
  return buffer.toString('utf8');
}

/** The default `exec`, on execa; `env` replaces the environment (tests point PATH at a stand-in). */
export function createExec(options: { env?: Record<string, string | undefined> } = {}): MeminfoExec {
  return async (file, args, { signal }) => {
    // Loaded on first use: on plain Linux nothing is ever executed, so `gov status` skips it.
    const { execa } = await import('execa');
    const result = await execa(file, [...args], {
      encoding: 'buffer',
      reject: false,
      stdin: 'ignore',
      cancelSignal: signal,
      ...(options.env ? { env: options.env, extendEnv: false } : {}),
    });
    if (result.exitCode === undefined) {
      throw result.cause instanceof Error ? result.cause : new Error(result.shortMessage);
    }
    return { stdout: decodeOutput(result.stdout), stderr: decodeOutput(result.stderr), exitCode: result.exitCode };
  };
}
