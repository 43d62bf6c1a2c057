/** Bad flags or arguments: exit code 2, with the usage line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'GOV_CLI_USAGE';
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly usage?: string,
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
