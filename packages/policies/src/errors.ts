/** One thing wrong with a config: where, what was given, and what is allowed. */
export interface ConfigProblem {
  /** Dotted path as the user spelled it, e.g. `governor.check_interval_secs`; `''` for the whole file. */
  path: string;
  /** The value found at `path` (`undefined` when the key is missing or the file does not parse). */
  value: unknown;
  /** What is wrong and what is allowed, e.g. `0 is below the minimum 1`. */
  message: string;
}

/** The most problems a `ConfigError` lists; the rest are only counted (`omitted`). */
export const MAX_LISTED_PROBLEMS = 50;

/**
 * A config that does not parse or validate. The message lists the problems, one per line, at
 * most `MAX_LISTED_PROBLEMS` of them, then "… and N more problems".
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'GOV_CONFIG_INVALID';
  readonly problems: ConfigProblem[];
  readonly source: string;
  /** Problems found but not listed in `problems`, to keep the report (and the work) bounded. */
  readonly omitted: number;

  constructor(source: string, problems: ConfigProblem[], options?: { cause?: unknown; omitted?: number }) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const omitted = (options?.omitted ?? 0) + problems.length - listed.length;
    const lines = listed.map((problem) => `  ${problem.path === '' ? '(file)' : problem.path}: ${problem.message}`);
    if (omitted > 0) lines.push(`  … and ${omitted} more problem${omitted === 1 ? '' : 's'}`);
    super(`invalid config ${source}:\n${lines.join('\n')}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.source = source;
    this.problems = listed;
    this.omitted = omitted;
  }
}
