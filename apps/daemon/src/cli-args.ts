import { parseArgs } from 'node:util';
import type { Environment } from '@gov/meminfo';
import { DaemonUsageError } from './errors.js';

export const USAGE = 'govd [--config PATH] [--dry-run] [--help]';

export const HELP = `govd — the gov memory governor daemon

Usage: ${USAGE}

Options:
  --config PATH  config file (default: $GOV_CONFIG, ~/.config/gov/config.toml,
                 /etc/gov/config.toml, else built-in defaults)
  --dry-run      decide and record, but never reclaim or pause anything
  -h, --help     show this help

Signals: SIGTERM/SIGINT finish the running tick and exit 0; SIGHUP reloads the config.
Environment: GOV_ENVIRONMENT=linux|wsl-guest overrides where govd thinks it runs.
`;

export interface GovdArgs {
  configPath: string | null;
  dryRun: boolean;
  help: boolean;
}

/** Parses `govd`'s flags; anything unknown is a `DaemonUsageError` (exit 2). */
export function parseGovdArgs(argv: readonly string[]): GovdArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.config !== undefined && values.config.trim() === '') throw new Error('--config needs a path');
    return { configPath: values.config ?? null, dryRun: values['dry-run'] ?? false, help: values.help ?? false };
  } catch (error) {
    throw new DaemonUsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
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
