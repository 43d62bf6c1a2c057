import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '@gov/api/node';
import { configSearchPaths, resolveStateDir, type GovConfig } from '@gov/policies';
import type { CliIo } from './io.js';

/** The home directory as the environment gives it (tests set `HOME`). */
export function homeOf(io: CliIo): string {
  return io.env['HOME'] || io.env['USERPROFILE'] || homedir();
}

/**
 * The config as govd finds it (`loadConfig` of `@gov/api/node`): `explicitPath` (`--path`/
 * `--config`), else `$GOV_CONFIG`, `~/.config/gov/config.toml`, `/etc/gov/config.toml`, else the
 * defaults. A missing or unreadable file is a `ConfigFileError`, an invalid one a `ConfigError`;
 * both exit 2.
 */
export function loadCliConfig(io: CliIo, explicitPath?: string): Promise<LoadedConfig> {
  return loadConfig({ flagPath: explicitPath ?? null, env: io.env, home: homeOf(io) });
}

/** Where `gov config init` writes by default: `$GOV_CONFIG`, else the user's `~/.config/gov/config.toml`. */
export function defaultConfigPath(io: CliIo): string {
  return configSearchPaths({ env: io.env, home: homeOf(io) })[0] as string;
}

/** govd's state directory as govd finds it: `$GOV_STATE_DIR`, `$STATE_DIRECTORY`, else the config's `daemon.state_dir`. */
export function stateDirOf(config: GovConfig, io: CliIo): string {
  return resolveStateDir(config, homeOf(io), io.env);
}

/** The state directory a command works on: `--state-dir`, else where govd finds it. */
export function chosenStateDir(flag: string | undefined, config: GovConfig, io: CliIo): string {
  return resolve(flag ?? stateDirOf(config, io));
}
