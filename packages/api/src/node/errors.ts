/** A history file that cannot be written or read. */
export class HistoryFileError extends Error {
  override readonly name = 'HistoryFileError';
  readonly code = 'GOV_DAEMON_HISTORY';
}

/** The state directory or its token file cannot be prepared. */
export class StateDirError extends Error {
  override readonly name = 'StateDirError';
  readonly code = 'GOV_DAEMON_STATE_DIR';
}

/**
 * A config file that was asked for (`--config`, `--path`, `$GOV_CONFIG`) but does not exist, or
 * any config file that exists but cannot be read. Exit code 2, like every config problem; an
 * invalid file is `ConfigError` of `@gov/policies`.
 */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  readonly exitCode = 2;
  constructor(
    readonly code: 'GOV_CONFIG_NOT_FOUND' | 'GOV_CONFIG_UNREADABLE',
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
