import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, parseConfigToml, renderConfigToml, type GovConfig } from '@gov/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultUserConfigPath, loadConfig, saveConfigChanges, writeConfigAtomically } from './config-file.js';
import { ConfigFileError } from './errors.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'govd-config-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('runs on the defaults when no file exists', async () => {
    expect(await loadConfig({ flagPath: null, env: {}, home })).toEqual({ config: defaultConfig, path: null });
  });

  it('reads ~/.config/gov/config.toml', async () => {
    await mkdir(join(home, '.config', 'gov'), { recursive: true });
    await writeFile(defaultUserConfigPath(home), '[governor]\npolicy = "aggressive"\n');
    const loaded = await loadConfig({ flagPath: null, env: {}, home });
    expect(loaded.path).toBe(join(home, '.config', 'gov', 'config.toml'));
    expect(loaded.config.governor.policy).toBe('aggressive');
  });

  it('prefers --config over $GOV_CONFIG over the user file', async () => {
    await mkdir(join(home, '.config', 'gov'), { recursive: true });
    await writeFile(defaultUserConfigPath(home), '[governor]\npolicy = "aggressive"\n');
    await writeFile(join(home, 'env.toml'), '[governor]\npolicy = "conservative"\n');
    await writeFile(join(home, 'flag.toml'), '[governor]\npolicy = "scheduled"\n');
    expect((await loadConfig({ flagPath: null, env: { GOV_CONFIG: join(home, 'env.toml') }, home })).config.governor.policy).toBe('conservative');
    expect((await loadConfig({ flagPath: join(home, 'flag.toml'), env: { GOV_CONFIG: join(home, 'env.toml') }, home })).config.governor.policy).toBe('scheduled');
  });

  it('refuses a missing file named by --config or $GOV_CONFIG', async () => {
    const missing = join(home, 'nope.toml');
    await expect(loadConfig({ flagPath: missing, env: {}, home })).rejects.toEqual(new ConfigFileError('GOV_CONFIG_NOT_FOUND', `config file ${missing} does not exist`, missing));
    await expect(loadConfig({ flagPath: null, env: { GOV_CONFIG: missing }, home })).rejects.toMatchObject({ name: 'ConfigFileError', code: 'GOV_CONFIG_NOT_FOUND', exitCode: 2, message: `config file ${missing} does not exist ($GOV_CONFIG)` });
  });

  it('refuses a file it cannot read, wherever it was found', async () => {
    await mkdir(join(home, '.config', 'gov', 'config.toml'), { recursive: true });
    await expect(loadConfig({ flagPath: null, env: {}, home })).rejects.toMatchObject({ name: 'ConfigFileError', code: 'GOV_CONFIG_UNREADABLE', path: defaultUserConfigPath(home) });
  });

  it('skips a default path under a file (ENOTDIR) as missing', async () => {
    await writeFile(join(home, '.config'), 'not a directory');
    expect(await loadConfig({ flagPath: null, env: {}, home })).toEqual({ config: defaultConfig, path: null });
  });

  it('lists every bad key of a file', async () => {
    await writeFile(join(home, 'bad.toml'), '[governor]\ncheck_interval_secs = 0\npolicy = "sometimes"\n');
    await expect(loadConfig({ flagPath: join(home, 'bad.toml'), env: {}, home })).rejects.toMatchObject({
      code: 'GOV_CONFIG_INVALID',
      problems: [
        { path: 'governor.policy', value: 'sometimes', message: '"sometimes" is not one of "dynamic", "aggressive", "conservative", "scheduled"' },
        { path: 'governor.check_interval_secs', value: 0, message: '0 is below the minimum 1' },
      ],
    });
  });
});

describe('writeConfigAtomically', () => {
  it('writes TOML that parses back to the same config, creating the directory, leaving no temporary file', async () => {
    const path = defaultUserConfigPath(home);
    const config = parseConfigToml('[governor]\npolicy = "aggressive"\ncheck_interval_secs = 5\n');
    await writeConfigAtomically(path, config);
    expect(parseConfigToml(await readFile(path, 'utf8'))).toEqual(config);
    expect(await readdir(join(home, '.config', 'gov'))).toEqual(['config.toml']);
  });

  it('replaces an existing file and keeps its permission bits', async () => {
    const path = join(home, 'config.toml');
    await writeFile(path, '[governor]\npolicy = "scheduled"\n');
    await chmod(path, 0o600);
    await writeConfigAtomically(path, defaultConfig);
    expect(parseConfigToml(await readFile(path, 'utf8'))).toEqual(defaultConfig);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});

describe('saveConfigChanges', () => {
  const HAND = '# mine\n[governor]\npolicy = "dynamic"  # learner\n\n[docker]\ndeny = ["db"]\n';
  const change = (config: GovConfig, edit: (next: GovConfig) => void) => {
    const next = structuredClone(config);
    edit(next);
    return next;
  };

  it('edits only the changed lines of a hand-written file, and keeps what someone changed by hand since', async () => {
    const path = join(home, 'config.toml');
    const before = parseConfigToml(HAND);
    await writeFile(path, HAND.replace('deny = ["db"]', 'deny = ["db", "cache"]'));
    const next = change(before, (config) => {
      config.governor.policy = 'aggressive';
      config.governor.aggressive.target_reclaim_mb = 512;
    });
    const saved = await saveConfigChanges(path, before, next);
    expect(saved.write).toEqual({ mode: 'patched', changed: ['governor.policy', 'governor.aggressive.target_reclaim_mb'], backupPath: null });
    expect(await readFile(path, 'utf8')).toBe('# mine\n[governor]\npolicy = "aggressive"  # learner\n\n[docker]\ndeny = ["db", "cache"]\n\n[governor.aggressive]\ntarget_reclaim_mb = 512\n');
    expect([saved.config.governor.policy, saved.config.governor.aggressive.target_reclaim_mb, saved.config.docker.deny]).toEqual(['aggressive', 512, ['db', 'cache']]);
  });

  it('writes the commented template where no file is yet', async () => {
    const path = defaultUserConfigPath(home);
    const next = change(defaultConfig, (config) => (config.governor.policy = 'conservative'));
    expect((await saveConfigChanges(path, defaultConfig, next)).write).toEqual({ mode: 'created', changed: ['governor.policy'], backupPath: null });
    expect(await readFile(path, 'utf8')).toBe(renderConfigToml(next));
  });

  it('rewrites a file a line edit cannot be sure of, keeping the old one as .bak', async () => {
    const path = join(home, 'config.toml');
    const inline = '[governor]\ndynamic = { min_waste_mb = 100 }\n';
    await writeFile(path, inline);
    const before = parseConfigToml(inline);
    const next = change(before, (config) => (config.governor.dynamic.min_waste_mb = 200));
    expect((await saveConfigChanges(path, before, next)).write).toEqual({ mode: 'rewritten', changed: ['governor.dynamic.min_waste_mb'], backupPath: `${path}.bak` });
    expect([await readFile(`${path}.bak`, 'utf8'), parseConfigToml(await readFile(path, 'utf8'))]).toEqual([inline, next]);
  });
});
