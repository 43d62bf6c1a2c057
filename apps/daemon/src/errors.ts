/** Bad `govd` flags: exit code 2, with the usage line. */
export class DaemonUsageError extends Error {
  override readonly name = 'DaemonUsageError';
  readonly code = 'GOV_DAEMON_USAGE';
  readonly exitCode = 2;
}

/** A history file that cannot be written or read. */
export class HistoryFileError extends Error {
  override readonly name = 'HistoryFileError';
  readonly code = 'GOV_DAEMON_HISTORY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A failure that the HTTP API answers with a status code and a JSON error body. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The state directory or token file cannot be prepared. */
export class StateDirError extends Error {
  override readonly name = 'StateDirError';
  readonly code = 'GOV_DAEMON_STATE_DIR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
