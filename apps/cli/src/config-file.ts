import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { configSearchPaths, defaultConfig, parseConfigToml, type GovConfig } from '@gov/policies';
import type { CliIo } from './io.js';

/** A config file that was asked for but cannot be read; exit code 2 like any config problem. */
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

export interface LoadedConfig {
  config: GovConfig;
  /** The file the config came from; `null` when no file exists and the defaults apply. */
  path: string | null;
}

/** The home directory as the environment gives it (tests set `HOME`). */
export function homeOf(io: CliIo): string {
  return io.env['HOME'] || io.env['USERPROFILE'] || homedir();
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigFileError('GOV_CONFIG_UNREADABLE', `cannot read config ${path}: ${(error as Error).message}`, path, { cause: error });
  }
}

/**
 * Finds, reads and validates the config the way govd does: `explicitPath` (`--path`/`--config`),
 * else `$GOV_CONFIG`, `~/.config/gov/config.toml`, `/etc/gov/config.toml`; no file at all means
 * the defaults. A path that was asked for (explicitly or through `$GOV_CONFIG`) must exist.
 * Throws `ConfigError` (from `@gov/policies`) listing every problem of an invalid file.
 */
export async function loadCliConfig(io: CliIo, explicitPath?: string): Promise<LoadedConfig> {
  const required = explicitPath ?? (io.env['GOV_CONFIG'] || undefined);
  if (required !== undefined) {
    const text = await readIfExists(required);
    if (text === null) throw new ConfigFileError('GOV_CONFIG_NOT_FOUND', `config file ${required} does not exist${explicitPath === undefined ? ' ($GOV_CONFIG)' : ''}`, required);
    return { config: parseConfigToml(text, required), path: required };
  }
  for (const path of configSearchPaths({ env: io.env, home: homeOf(io) })) {
    const text = await readIfExists(path);
    if (text !== null) return { config: parseConfigToml(text, path), path };
  }
  return { config: defaultConfig, path: null };
}

/** Where `gov config init` writes by default: `$GOV_CONFIG`, else the user's `~/.config/gov/config.toml`. */
export function defaultConfigPath(io: CliIo): string {
  return configSearchPaths({ env: io.env, home: homeOf(io) })[0] as string;
}
