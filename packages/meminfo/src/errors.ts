/** Text that is not the file it claims to be: names the source, the line and, where known, the field. */
export class MeminfoParseError extends Error {
  override readonly name = 'MeminfoParseError';
  readonly code = 'GOV_MEMINFO_PARSE';
  /** What was parsed, e.g. `/proc/meminfo` or `memory.stat`. */
  readonly source: string;
  /** 1-based line number, or `null` when the problem is not on one line (a missing field). */
  readonly line: number | null;
  readonly field: string | null;

  constructor(message: string, details: { source: string; line?: number | null; field?: string | null; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.source = details.source;
    this.line = details.line ?? null;
    this.field = details.field ?? null;
  }
}

export type MeminfoSourceErrorCode =
  /** A file could not be read (missing, permission, not a cgroup directory). */
  | 'GOV_MEMINFO_READ_FAILED'
  /** A source did not answer within its timeout. */
  | 'GOV_MEMINFO_TIMEOUT'
  /** A helper program (`wsl.exe`, `powershell.exe`) failed or could not be started. */
  | 'GOV_MEMINFO_EXEC_FAILED'
  /** A WSL distro name that is not a plain name; it is refused before anything runs. */
  | 'GOV_MEMINFO_INVALID_DISTRO'
  /** The source does not exist in this environment (no PSI on an old kernel, no interop). */
  | 'GOV_MEMINFO_UNSUPPORTED';

/** A source that could not deliver its text; `cause` keeps the underlying error. */
export class MeminfoSourceError extends Error {
  override readonly name = 'MeminfoSourceError';
  readonly code: MeminfoSourceErrorCode;
  /** Which source failed, e.g. `linux`, `pressure`, `host`, `cgroup`. */
  readonly source: string;
  /** Exit code of a helper program, where one ran. */
  readonly exitCode: number | null;
  readonly timedOut: boolean;

  constructor(
    message: string,
    details: { code: MeminfoSourceErrorCode; source: string; exitCode?: number | null; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.source = details.source;
    this.exitCode = details.exitCode ?? null;
    this.timedOut = details.code === 'GOV_MEMINFO_TIMEOUT';
  }
}
