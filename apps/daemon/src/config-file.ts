import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, configSearchPaths, defaultConfig, parseConfigToml, renderConfigToml, type GovConfig } from '@gov/policies';

export type ConfigFs = Pick<typeof nodeFs, 'readFile' | 'writeFile' | 'rename' | 'mkdir' | 'open' | 'stat' | 'rm'>;

/** The config govd runs with, and the file it came from (`null`: built-in defaults). */
export interface LoadedConfig {
  config: GovConfig;
  path: string | null;
}

export interface LoadConfigOptions {
  /** `--config PATH`: must exist. */
  flagPath: string | null;
  env: Record<string, string | undefined>;
  home: string;
  fs?: ConfigFs;
}

const unreadable = (path: string, error: unknown) =>
  new ConfigError(path, [{ path: '', value: undefined, message: `cannot read the config file: ${(error as Error).message}` }], { cause: error });

/**
 * Finds and parses the config: `--config`, then `$GOV_CONFIG`, `~/.config/gov/config.toml`,
 * `/etc/gov/config.toml`, else the defaults. A file named by the flag or `$GOV_CONFIG` must
 * exist; the two default paths are optional. Throws `ConfigError` (listing every problem).
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const fs = options.fs ?? nodeFs;
  const explicit = options.flagPath ?? (options.env['GOV_CONFIG'] ? options.env['GOV_CONFIG'] : null);
  const candidates = options.flagPath ? [options.flagPath] : configSearchPaths({ env: options.env, home: options.home });
  for (const path of candidates) {
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && path !== explicit) continue;
      throw unreadable(path, error);
    }
    return { config: parseConfigToml(text, path), path };
  }
  return { config: defaultConfig, path: null };
}

/** Where `PUT /api/config` writes when govd runs on the built-in defaults. */
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
