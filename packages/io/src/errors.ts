/** A deadline passed before the work finished (the default error of `withDeadline`). */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'GOV_IO_TIMEOUT';
  readonly timedOut = true;
  readonly timeoutMs: number;

  constructor(timeoutMs: number, message = `no answer within ${timeoutMs} ms`) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A program that did not run to an exit code: it could not start (`errno`, e.g. `ENOENT` when
 * it is not on PATH) or a signal killed it (`signal`). A program that exits non-zero is not an
 * error: its exit code is in the result.
 */
export class ExecError extends Error {
  override readonly name = 'ExecError';
  readonly code = 'GOV_IO_EXEC_FAILED';
  /** The program as it was asked for, e.g. `wsl.exe`. */
  readonly file: string;
  /** Why it could not start: `ENOENT`, `EACCES`, …; `null` when it started. */
  readonly errno: string | null;
  /** The signal that ended it, e.g. `SIGKILL`; `null` when none did. */
  readonly signal: string | null;

  constructor(message: string, details: { file: string; errno?: string | null; signal?: string | null; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.file = details.file;
    this.errno = details.errno ?? null;
    this.signal = details.signal ?? null;
  }
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`, …), or `undefined` for anything else. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
