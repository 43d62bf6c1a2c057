/** Every code a `ReclaimError` carries. `*_INVALID_*` codes mean bad input: nothing ran. */
export type ReclaimErrorCode =
  | 'GOV_RECLAIM_INVALID_METHOD'
  | 'GOV_RECLAIM_INVALID_LEVEL'
  | 'GOV_RECLAIM_INVALID_TARGET'
  | 'GOV_RECLAIM_INVALID_CGROUP'
  | 'GOV_RECLAIM_INVALID_DISTRO'
  | 'GOV_RECLAIM_PERMISSION'
  | 'GOV_RECLAIM_UNSUPPORTED'
  | 'GOV_RECLAIM_TIMEOUT'
  | 'GOV_RECLAIM_BUSY'
  | 'GOV_RECLAIM_FAILED';

export interface ReclaimErrorDetails {
  cause?: unknown;
  /** The system error code behind the failure (`EACCES`, `EINVAL`, …), where there is one. */
  errno?: string;
  /** The file that was being written, where there is one. */
  path?: string;
  /** Exit code of the child process (`sync`, `wsl.exe`) that failed. */
  exitCode?: number;
  signal?: string;
  timedOut?: boolean;
}

/** A reclaim that was refused or failed. Inside a `ReclaimResult` it is recorded as `{ code, message }`. */
export class ReclaimError extends Error {
  override readonly name = 'ReclaimError';
  readonly code: ReclaimErrorCode;
  readonly errno: string | undefined;
  readonly path: string | undefined;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;

  constructor(code: ReclaimErrorCode, message: string, details: ReclaimErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.errno = details.errno;
    this.path = details.path;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.timedOut = details.timedOut ?? false;
  }
}

/** Whether `error` is a `ReclaimError`, also across duplicated copies of this package. */
export function isReclaimError(error: unknown): error is ReclaimError {
  return error instanceof ReclaimError || (error instanceof Error && error.name === 'ReclaimError' && typeof (error as { code?: unknown }).code === 'string');
}
