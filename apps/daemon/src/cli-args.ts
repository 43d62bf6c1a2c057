import { parseArgs } from 'node:util';
import { suggestName } from '@gov/policies';
import type { Environment } from '@gov/meminfo';
import { DaemonUsageError } from './errors.js';
import { LOG_FORMATS, type LogFormatChoice } from './log-format.js';

interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  value?: string;
  description: string;
  defaultText?: string;
}

/** govd's flags, written once: parsing, the usage line and --help all come from here. */
const FLAGS = {
  config: {
    type: 'string',
    value: 'PATH',
    description: 'the config file; it must exist',
    defaultText: '$GOV_CONFIG, ~/.config/gov/config.toml, /etc/gov/config.toml, else the built-in defaults',
  },
  'dry-run': { type: 'boolean', description: 'decide and record, but never reclaim or pause anything, whatever governor.dry_run says' },
  'log-format': {
    type: 'string',
    value: LOG_FORMATS.join('|'),
    description: 'how to write the log: pretty lines, or one JSON object a line',
    defaultText: 'daemon.log_format of the config: pretty on a terminal, JSON otherwise',
  },
  version: { type: 'boolean', description: 'print the version and exit' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, FlagSpec>;

const placeholder = (flag: FlagSpec) => (flag.type === 'string' ? ` ${flag.value}` : '');

export const USAGE = `govd ${Object.entries(FLAGS)
  .map(([name, flag]) => `[--${name}${placeholder(flag)}]`)
  .join(' ')}`;

function renderHelp(): string {
  // Each flag on its line, what it does indented below it, as man pages do.
  const options = Object.entries(FLAGS)
    .map(([name, flag]: [string, FlagSpec]) => {
      const text = flag.defaultText ? `${flag.description} (default: ${flag.defaultText})` : flag.description;
      const lines = (text.match(/\S.{0,70}(?=\s|$)/g) ?? []).map((line) => `      ${line}`);
      return [`  ${flag.short ? `-${flag.short}, ` : ''}--${name}${placeholder(flag)}`, ...lines].join('\n');
    })
    .join('\n');
  return `govd — the gov memory governor daemon

Usage: ${USAGE.replace(' [--version]', '\n            [--version]')}

Options:
${options}

Environment: GOV_CONFIG (the config file), GOV_STATE_DIR or STATE_DIRECTORY (the
state directory, over daemon.state_dir), GOV_LOG_LEVEL (debug, info, warn, error;
default info), GOV_ENVIRONMENT (linux or wsl-guest: where govd runs, over detection).
Signals: SIGTERM/SIGINT finish the running tick and the API requests being answered
(at most 30 s) and exit 0; SIGHUP reloads the config.

Exit codes: 0 stopped by a signal, 1 could not start, 2 bad flags or config.
`;
}

export const HELP = renderHelp();

export interface GovdArgs {
  configPath: string | null;
  dryRun: boolean;
  /** `--log-format`; `null` leaves it to the config. */
  logFormat: LogFormatChoice | null;
  help: boolean;
  version: boolean;
}

/** Parses `govd`'s flags; anything unknown is a `DaemonUsageError` (exit 2), with a did-you-mean when one is close. */
export function parseGovdArgs(argv: readonly string[]): GovdArgs {
  let values;
  try {
    const options = Object.fromEntries(Object.entries(FLAGS).map(([name, flag]: [string, FlagSpec]) => [name, { type: flag.type, ...(flag.short ? { short: flag.short } : {}) }]));
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown === undefined) throw new DaemonUsageError(message);
    const suggestion = suggestName(unknown, Object.keys(FLAGS).map((name) => `--${name}`));
    throw new DaemonUsageError(`unknown option ${unknown}${suggestion ? `; did you mean ${suggestion}?` : ''}`);
  }
  const config = values['config'] as string | undefined;
  if (config !== undefined && config.trim() === '') throw new DaemonUsageError('--config needs a path');
  const logFormat = values['log-format'] as string | undefined;
  if (logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new DaemonUsageError(`--log-format: "${logFormat}" is not one of ${LOG_FORMATS.join(', ')}`);
  return {
    configPath: config ?? null,
    dryRun: values['dry-run'] === true,
    logFormat: (logFormat as LogFormatChoice | undefined) ?? null,
    help: values['help'] === true,
    version: values['version'] === true,
  };
}

const ENVIRONMENTS: readonly Environment[] = ['linux', 'wsl-guest', 'windows'];

/**
 * `$GOV_ENVIRONMENT`: where govd runs when detection cannot tell (a WSL2 kernel built without
 * "microsoft" in its release and no interop entry, or a test with a stand-in `powershell.exe`).
 * Unset or empty: detected.
 */
export function parseEnvironmentOverride(value: string | undefined): Environment | null {
  if (value === undefined || value === '') return null;
  if ((ENVIRONMENTS as readonly string[]).includes(value)) return value as Environment;
  throw new DaemonUsageError(`GOV_ENVIRONMENT must be one of ${ENVIRONMENTS.join(', ')} (or unset to detect); got "${value}"`);
}
