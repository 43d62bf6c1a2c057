/** One thing wrong with a config: where, what was given, and what is allowed. */
export interface ConfigProblem {
  /** Dotted path as the user spelled it, e.g. `governor.check_interval_secs`; `''` for the whole file. */
  path: string;
  /** The value found at `path` (`undefined` when the key is missing or the file does not parse). */
  value: unknown;
  /** What is wrong and what is allowed, e.g. `0 is below the minimum 1`. */
  message: string;
}

/** A config that does not parse or validate. The message lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'GOV_CONFIG_INVALID';
  readonly problems: ConfigProblem[];
  readonly source: string;

  constructor(source: string, problems: ConfigProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((problem) => `  ${problem.path === '' ? '(file)' : problem.path}: ${problem.message}`);
    super(`invalid config ${source}:\n${lines.join('\n')}`, options);
    this.source = source;
    this.problems = problems;
  }
}
