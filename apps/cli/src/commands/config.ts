import { rename, stat } from 'node:fs/promises';
import { writeConfigAtomically } from '@gov/api/node';
import { ConfigError, configJsonSchema, defaultConfig } from '@gov/policies';
import { stringify as stringifyToml } from 'smol-toml';
import { parseSubcommandArgs } from '../args.js';
import { defaultConfigPath, loadCliConfig } from '../config-file.js';
import { formatJson } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { configSpec } from './specs.js';


async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

const backupStamp = (now: Date) => now.toISOString().replace(/[:.]/g, '-');

async function init(io: CliIo, options: { path?: string; force: boolean; json: boolean }): Promise<number> {
  const path = options.path ?? defaultConfigPath(io);
  let backup: string | null = null;
  if (await exists(path)) {
    if (!options.force) {
      const message = `${path} already exists; it was left as it is (use --force to replace it; the old file is kept as a backup)`;
      if (options.json) io.stdout.write(formatJson({ path, written: false, backup: null, error: { code: 'GOV_CONFIG_EXISTS', message } }));
      else io.stderr.write(`gov: ${message}\n`);
      return 1;
    }
    // A user's config is never lost: --force keeps the old file beside the new one.
    backup = `${path}.${backupStamp(new Date())}.bak`;
    await rename(path, backup);
  }
  // Through a temporary file, fsync and a rename: a crash never leaves half a config.
  await writeConfigAtomically(path, defaultConfig);
  if (options.json) io.stdout.write(formatJson({ path, written: true, backup }));
  else io.stdout.write(`wrote ${path}${backup ? ` (the previous file is ${backup})` : ''}\n`);
  return 0;
}

async function validate(io: CliIo, options: { path?: string; json: boolean }): Promise<number> {
  try {
    const { path } = await loadCliConfig(io, options.path);
    if (options.json) io.stdout.write(formatJson({ valid: true, path, problems: [] }));
    else io.stdout.write(path === null ? 'no config file found; the defaults apply\n' : `${path}: valid\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (options.json) io.stdout.write(formatJson({ valid: false, path: error.source, problems: error.problems, ...(error.omitted > 0 ? { omitted: error.omitted } : {}) }));
    else io.stderr.write(`gov: ${error.message}\n`);
    return 2;
  }
}

async function show(io: CliIo, options: { path?: string; json: boolean }): Promise<number> {
  const { config, path } = await loadCliConfig(io, options.path);
  if (options.json) {
    io.stdout.write(formatJson({ path, config }));
    return 0;
  }
  const source = path === null ? 'no config file found: the defaults' : `from ${path}, with defaults for missing keys`;
  io.stdout.write(`# effective config ${source}\n${stringifyToml(config)}\n`);
  return 0;
}

export const configCommand: Command = {
  spec: configSpec,
  async run({ argv, io }) {
    const { subcommand: action, values } = parseSubcommandArgs(argv, configSpec, ['config']);
    const json = values.json === true;
    const path = values.path;
    switch (action) {
      case 'init':
        return init(io, { ...(path === undefined ? {} : { path }), force: values.force === true, json });
      case 'validate':
        return validate(io, { ...(path === undefined ? {} : { path }), json });
      case 'show':
        return show(io, { ...(path === undefined ? {} : { path }), json });
      case 'schema':
        io.stdout.write(formatJson(configJsonSchema()));
        return 0;
    }
  },
};
