import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@gov/io';
import { changedConfigKeys, configSearchPaths, defaultConfig, parseConfigToml, patchConfigToml, renderConfigToml, type GovConfig } from '@gov/policies';
import type { ConfigWrite } from '../types.js';
import { ConfigFileError } from './errors.js';

export type ConfigFs = Pick<typeof nodeFs, 'readFile' | 'writeFile' | 'rename' | 'mkdir' | 'open' | 'stat' | 'rm' | 'unlink'>;

/** The config in use, and the file it came from (`null`: no file exists, the defaults apply). */
export interface LoadedConfig {
  config: GovConfig;
  path: string | null;
}

export interface LoadConfigOptions {
  /** The file a flag names (`govd --config`, `gov … --config`/`--path`): must exist. `null`: none. */
  flagPath: string | null;
  env: Record<string, string | undefined>;
  home: string;
  fs?: Pick<ConfigFs, 'readFile'>;
}

/** The file's text; `null` when nothing is there to read. */
async function readIfExists(fs: Pick<ConfigFs, 'readFile'>, path: string): Promise<string | null> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigFileError('GOV_CONFIG_UNREADABLE', `cannot read config ${path}: ${(error as Error).message}`, path, { cause: error });
  }
}

/**
 * Finds, reads and validates the config as govd and gov both do: the flag's file, else
 * `$GOV_CONFIG`, `~/.config/gov/config.toml`, `/etc/gov/config.toml`; no file at all means the
 * defaults. A file that was asked for (the flag or `$GOV_CONFIG`) must exist. Throws
 * `ConfigFileError` for a file that is missing or unreadable, and `ConfigError` (from
 * `@gov/policies`, listing every problem) for an invalid one.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const fs = options.fs ?? nodeFs;
  const required = options.flagPath ?? (options.env['GOV_CONFIG'] || null);
  if (required !== null) {
    const text = await readIfExists(fs, required);
    if (text === null) throw new ConfigFileError('GOV_CONFIG_NOT_FOUND', `config file ${required} does not exist${options.flagPath === null ? ' ($GOV_CONFIG)' : ''}`, required);
    return { config: parseConfigToml(text, required), path: required };
  }
  for (const path of configSearchPaths({ env: options.env, home: options.home })) {
    const text = await readIfExists(fs, path);
    if (text !== null) return { config: parseConfigToml(text, path), path };
  }
  return { config: defaultConfig, path: null };
}

/** The user's config file, `~/.config/gov/config.toml`: where `PUT /api/config` writes when govd runs on the defaults. */
export function defaultUserConfigPath(home: string): string {
  return join(home, '.config', 'gov', 'config.toml');
}

/**
 * Writes the config as commented TOML, atomically (`writeFileAtomic` of `@gov/io`): a reader,
 * or a crash, sees the old file or the new one, never half of one. Keeps the old file's mode.
 */
export async function writeConfigAtomically(path: string, config: GovConfig, options: { fs?: ConfigFs } = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  await fs.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, renderConfigToml(config), { fs, mode: 0o644 });
}

/** Writes a config file's text as it is (the user's own TOML, already validated), atomically. */
export async function writeConfigText(path: string, text: string, options: { fs?: ConfigFs } = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  await fs.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text, { fs, mode: 0o644 });
}

/** The text of the config file, `null` when there is none. */
export async function readConfigText(path: string, options: { fs?: Pick<ConfigFs, 'readFile'> } = {}): Promise<string | null> {
  return readIfExists(options.fs ?? nodeFs, path);
}

/**
 * Saves a changed config the way a person would edit the file: only the lines of the keys whose
 * values differ from `before` (the config in use) change; every comment, blank line and key of
 * the rest stays as it was (`patchConfigToml` of `@gov/policies`). With no file yet, the
 * commented template is written. A file laid out in a way a line edit cannot be sure of is
 * rewritten whole as the template, and the old one kept beside it as `<path>.bak`. Every write
 * is atomic. Resolves to the config the file now holds (changes someone made to the file by hand
 * since it was read stay) and how it was written.
 */
export async function saveConfigChanges(path: string, before: GovConfig, next: GovConfig, options: { fs?: ConfigFs } = {}): Promise<{ config: GovConfig; write: ConfigWrite }> {
  const fs = options.fs ?? nodeFs;
  const changes = changedConfigKeys(before, next);
  const changed = changes.map((change) => change.path);
  const existing = await readIfExists(fs, path);
  if (existing === null) {
    await writeConfigAtomically(path, next, { fs });
    return { config: next, write: { mode: 'created', changed, backupPath: null } };
  }
  const patched = patchConfigToml(existing, changes, path);
  if (patched !== null) {
    if (patched.text !== existing) await writeFileAtomic(path, patched.text, { fs, mode: 0o644 });
    return { config: patched.config, write: { mode: 'patched', changed, backupPath: null } };
  }
  const backupPath = `${path}.bak`;
  await writeFileAtomic(backupPath, existing, { fs, mode: 0o600 });
  await writeConfigAtomically(path, next, { fs });
  return { config: next, write: { mode: 'rewritten', changed, backupPath } };
}
