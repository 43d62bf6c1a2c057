/** A name the user typed that is not one of `known`: the top-level handler adds a did-you-mean. */
export interface Typo {
  given: string;
  known: readonly string[];
  /** How a name is written in the message: quoted (`"status"`), or as it is (`--method`). */
  quoted: boolean;
}

/** Bad flags or arguments: exit code 2, with the usage line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'GOV_CLI_USAGE';
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly usage?: string,
    readonly typo?: Typo,
  ) {
    super(message);
  }
}

/** `gov service` cannot do what it was asked: no govd, not root, systemctl failed. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    /** `GOV_SERVICE_NO_GOVD`, `GOV_SERVICE_NEEDS_ROOT`, `GOV_SERVICE_SYSTEMCTL`. */
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

interface CodedError {
  code?: unknown;
  exitCode?: unknown;
  message: string;
}

/** Maps any error to the CLI's exit code: usage and config errors are 2, everything else 1. */
export function exitCodeOf(error: unknown): number {
  const coded = error as CodedError | undefined;
  if (coded && typeof coded.exitCode === 'number' && (coded.exitCode === 1 || coded.exitCode === 2)) return coded.exitCode;
  if (coded && typeof coded.code === 'string' && /^GOV_(CONFIG|CLI_USAGE)|_INVALID/.test(coded.code)) return 2;
  return 1;
}
