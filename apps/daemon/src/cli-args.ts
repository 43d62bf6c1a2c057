import { parseArgs } from 'node:util';
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
