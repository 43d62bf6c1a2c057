/** Bad `govd` flags: exit code 2, with the usage line. */
export class DaemonUsageError extends Error {
  override readonly name = 'DaemonUsageError';
  readonly code = 'GOV_DAEMON_USAGE';
  readonly exitCode = 2;
}
