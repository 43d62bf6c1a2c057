import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { configSearchPaths, defaultConfig, parseConfigToml, renderConfigToml, type GovConfig } from '@gov/policies';
import { ConfigFileError } from './errors.js';

export type ConfigFs = Pick<typeof nodeFs, 'readFile' | 'writeFile' | 'rename' | 'mkdir' | 'open' | 'stat' | 'rm'>;

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
 * Writes the config as commented TOML, atomically: a temporary file beside the target,
 * fsync'd, then renamed over it, so a reader (or a crash) sees the old file or the new one,
 * never half of one. Keeps the old file's permission bits.
 */
export async function writeConfigAtomically(path: string, config: GovConfig, options: { fs?: ConfigFs; pid?: number } = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  let mode = 0o644;
  try {
    mode = (await fs.stat(path)).mode & 0o777;
  } catch {
    // a new file
  }
  const temporary = join(dir, `.${path.slice(dir.length + 1)}.${options.pid ?? process.pid}.tmp`);
  const handle = await fs.open(temporary, 'w', mode);
  try {
    await handle.writeFile(renderConfigToml(config));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await fs.rename(temporary, path);
  try {
    const dirHandle = await fs.open(dir, 'r');
    await dirHandle.sync().finally(() => dirHandle.close());
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  }
}
