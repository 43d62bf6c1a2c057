import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError } from '@gov/api/node';
import { ConfigError, defaultConfig } from '@gov/policies';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defaultConfigPath, loadCliConfig } from './config-file.js';
import { createTestIo } from './test-io.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'gov-config-file-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function writeUserConfig(text: string): Promise<string> {
  const path = join(home, '.config', 'gov', 'config.toml');
  await mkdir(join(home, '.config', 'gov'), { recursive: true });
  await writeFile(path, text);
  return path;
}

describe('loadCliConfig', () => {
  test('no file anywhere: the defaults, and no path', async () => {
    const { io } = createTestIo({ env: { HOME: home } });
    // /etc/gov/config.toml is the last place looked; this machine has none.
    expect(await loadCliConfig(io)).toEqual({ config: defaultConfig, path: null });
  });

  test('the user file is found and parsed', async () => {
    const path = await writeUserConfig('[governor]\npolicy = "aggressive"\n');
    const { io } = createTestIo({ env: { HOME: home } });
    const loaded = await loadCliConfig(io);
    expect(loaded.path).toBe(path);
    expect(loaded.config.governor.policy).toBe('aggressive');
  });

  test('$GOV_CONFIG wins over the user file, and must exist', async () => {
    await writeUserConfig('[governor]\npolicy = "aggressive"\n');
    const envPath = join(home, 'elsewhere.toml');
    await writeFile(envPath, '[governor]\npolicy = "conservative"\n');
    expect((await loadCliConfig(createTestIo({ env: { HOME: home, GOV_CONFIG: envPath } }).io)).config.governor.policy).toBe('conservative');
    const missing = join(home, 'missing.toml');
    await expect(loadCliConfig(createTestIo({ env: { HOME: home, GOV_CONFIG: missing } }).io)).rejects.toEqual(new ConfigFileError('GOV_CONFIG_NOT_FOUND', `config file ${missing} does not exist ($GOV_CONFIG)`, missing));
  });

  test('an explicit path wins over everything, and must exist', async () => {
    const explicit = join(home, 'explicit.toml');
    await writeFile(explicit, '[governor]\npolicy = "scheduled"\n');
    const { io } = createTestIo({ env: { HOME: home, GOV_CONFIG: join(home, 'nope.toml') } });
    expect(await loadCliConfig(io, explicit)).toEqual({ config: { ...defaultConfig, governor: { ...defaultConfig.governor, policy: 'scheduled' } }, path: explicit });
    const error = await loadCliConfig(io, join(home, 'absent.toml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error).toMatchObject({ code: 'GOV_CONFIG_NOT_FOUND', exitCode: 2, message: `config file ${join(home, 'absent.toml')} does not exist` });
  });

  test('an invalid file is a ConfigError naming the file and every problem', async () => {
    const path = await writeUserConfig('[governor]\ncheck_interval_secs = 0\n[daemon]\nlisten = "nowhere"\n');
    const error = await loadCliConfig(createTestIo({ env: { HOME: home } }).io).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`invalid config ${path}:\n  governor.check_interval_secs: 0 is below the minimum 1\n  daemon.listen: "nowhere" is not host:port, e.g. 127.0.0.1:7878`);
  });

  test('a path that is a directory cannot be read', async () => {
    const error = await loadCliConfig(createTestIo({ env: { HOME: home } }).io, home).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ConfigFileError', code: 'GOV_CONFIG_UNREADABLE', path: home });
  });
});

test('defaultConfigPath: $GOV_CONFIG, else the user file', () => {
  expect(defaultConfigPath(createTestIo({ env: { HOME: '/home/ada', GOV_CONFIG: '/srv/gov.toml' } }).io)).toBe('/srv/gov.toml');
  expect(defaultConfigPath(createTestIo({ env: { HOME: '/home/ada' } }).io)).toBe('/home/ada/.config/gov/config.toml');
});
