import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configJsonSchema, defaultConfig, parseConfigToml, renderConfigToml } from '@gov/policies';
import { parse as parseToml } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runMain } from '../main.js';
import { createTestIo } from '../test-io.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'gov-config-cmd-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function gov(argv: string[], env: Record<string, string> = {}) {
  const test = createTestIo({ env: { HOME: home, ...env } });
  const code = await runMain(['config', ...argv], test.io);
  return { code, stdout: test.stdout(), stderr: test.stderr() };
}

const userPath = () => join(home, '.config', 'gov', 'config.toml');

describe('gov config init', () => {
  test('writes the commented default config to the user path', async () => {
    expect(await gov(['init'])).toEqual({ code: 0, stdout: `wrote ${userPath()}\n`, stderr: '' });
    const text = await readFile(userPath(), 'utf8');
    expect(text).toBe(renderConfigToml(defaultConfig));
    expect(parseConfigToml(text)).toEqual(defaultConfig);
  });

  test('never overwrites an existing file without --force', async () => {
    const path = join(home, 'mine.toml');
    await writeFile(path, '[governor]\npolicy = "aggressive"\n');
    expect(await gov(['init', '--path', path])).toEqual({ code: 1, stdout: '', stderr: `gov: ${path} already exists; it was left as it is (use --force to replace it; the old file is kept as a backup)\n` });
    expect(await readFile(path, 'utf8')).toBe('[governor]\npolicy = "aggressive"\n');
    const json = await gov(['init', '--path', path, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ path, written: false, backup: null, error: { code: 'GOV_CONFIG_EXISTS', message: `${path} already exists; it was left as it is (use --force to replace it; the old file is kept as a backup)` } });
  });

  test('--force replaces it and keeps the old file as a backup', async () => {
    const path = join(home, 'mine.toml');
    await writeFile(path, '[governor]\npolicy = "aggressive"\n');
    const result = await gov(['init', '--path', path, '--force', '--json']);
    expect(result.code).toBe(0);
    const { backup, ...rest } = JSON.parse(result.stdout) as { backup: string; path: string; written: boolean };
    expect(rest).toEqual({ path, written: true });
    expect(backup).toMatch(/mine\.toml\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.bak$/);
    expect(await readFile(backup, 'utf8')).toBe('[governor]\npolicy = "aggressive"\n');
    expect(await readFile(path, 'utf8')).toBe(renderConfigToml(defaultConfig));
    expect((await readdir(home)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test('writes to $GOV_CONFIG when set', async () => {
    const path = join(home, 'deep', 'dir', 'gov.toml');
    expect((await gov(['init'], { GOV_CONFIG: path })).code).toBe(0);
    expect(parseConfigToml(await readFile(path, 'utf8'))).toEqual(defaultConfig);
  });
});

describe('gov config validate', () => {
  test('a valid file', async () => {
    const path = join(home, 'ok.toml');
    await writeFile(path, '[wsl_governor]\nwindows_target_available_percent = 30\n');
    expect(await gov(['validate', '--path', path])).toEqual({ code: 0, stdout: `${path}: valid\n`, stderr: '' });
    expect(JSON.parse((await gov(['validate', '--path', path, '--json'])).stdout)).toEqual({ valid: true, path, problems: [] });
  });

  test('no file: the defaults apply', async () => {
    expect(await gov(['validate'])).toEqual({ code: 0, stdout: 'no config file found; the defaults apply\n', stderr: '' });
  });

  test('exits 2 on 130 000 unknown keys, listing 50 and counting the rest', { timeout: 60_000 }, async () => {
    const path = join(home, 'huge.toml');
    await writeFile(path, `[governor]\n${Array.from({ length: 130_000 }, (_, i) => `k${i} = 1`).join('\n')}\n`);
    const text = await gov(['validate', '--path', path]);
    expect([text.code, text.stdout, text.stderr.split('\n').slice(-2)]).toEqual([2, '', ['  … and 129950 more problems', '']]);
    const json = await gov(['validate', '--path', path, '--json']);
    const answer = JSON.parse(json.stdout) as { problems: unknown[]; omitted: number };
    expect([json.code, answer.problems.length, answer.omitted]).toEqual([2, 50, 129_950]);
  });

  test('exits 2 on a state_dir with a NUL byte or a relative one', async () => {
    const path = join(home, 'nul.toml');
    await writeFile(path, '[daemon]\nstate_dir = "/var/lib/gov\\u0000x"\n');
    expect(await gov(['validate', '--path', path])).toEqual({ code: 2, stdout: '', stderr: `gov: invalid config ${path}:\n  daemon.state_dir: "/var/lib/gov\\u0000x" contains a NUL byte; a path cannot\n` });
    await writeFile(path, '[daemon]\nstate_dir = "state"\n');
    expect(await gov(['validate', '--path', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `gov: invalid config ${path}:\n  daemon.state_dir: "state" is not an absolute path; write it from the root (/var/lib/gov) or the home directory (~/.local/state/gov)\n`,
    });
  });

  test('exits 2 listing every problem', async () => {
    const path = join(home, 'bad.toml');
    await writeFile(path, '[governor]\ncheck_interval_secs = 0\npolcy = "dynamic"\n[docker]\nidle_cpu_percent = 150\n');
    expect(await gov(['validate', '--path', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `gov: invalid config ${path}:\n  governor.check_interval_secs: 0 is below the minimum 1\n  governor.polcy: unknown key; did you mean "policy"?\n  docker.idle_cpu_percent: 150 is above the maximum 100\n`,
    });
    const json = await gov(['validate', '--path', path, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      path,
      problems: [
        { path: 'governor.check_interval_secs', value: 0, message: '0 is below the minimum 1' },
        { path: 'governor.polcy', value: 'dynamic', message: 'unknown key; did you mean "policy"?' },
        { path: 'docker.idle_cpu_percent', value: 150, message: '150 is above the maximum 100' },
      ],
    });
  });

  test('a missing --path exits 2', async () => {
    const path = join(home, 'absent.toml');
    expect(await gov(['validate', '--path', path])).toEqual({ code: 2, stdout: '', stderr: `gov: config file ${path} does not exist\n` });
  });
});

describe('gov config show', () => {
  test('prints the effective config, defaults filled in', async () => {
    const path = join(home, 'c.toml');
    await writeFile(path, '[governor]\npolicy = "conservative"\n');
    const result = await gov(['show', '--path', path]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`# effective config from ${path}, with defaults for missing keys`);
    const expected = { ...defaultConfig, governor: { ...defaultConfig.governor, policy: 'conservative' } };
    expect(parseToml(result.stdout)).toEqual(expected);
    expect(JSON.parse((await gov(['show', '--path', path, '--json'])).stdout)).toEqual({ path, config: expected });
  });

  test('an invalid config exits 2', async () => {
    const path = join(home, 'bad.toml');
    await writeFile(path, 'governor = 3\n');
    expect(await gov(['show', '--path', path])).toEqual({ code: 2, stdout: '', stderr: `gov: invalid config ${path}:\n  governor: 3 is an integer; expected a table\n` });
  });
});

describe('gov config schema', () => {
  test('prints the JSON Schema', async () => {
    const result = await gov(['schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(configJsonSchema());
    expect(JSON.parse((await gov(['schema', '--json'])).stdout)).toEqual(configJsonSchema());
  });
});

describe('usage', () => {
  test.each([
    [[], 'say what to do: init, validate, show or schema', 'gov config init|validate|show|schema [options]'],
    [['frob'], 'unknown config command "frob"; use init, validate, show or schema', 'gov config init|validate|show|schema [options]'],
    [['show', '--force'], '--force does not apply to "gov config show"', 'gov config show [--path PATH] [--json]'],
    [['schema', '--path', 'x'], '--path does not apply to "gov config schema"', 'gov config schema [--json]'],
    [['show', '--bogus'], 'unknown option --bogus', 'gov config show [--path PATH] [--json]'],
    [['valdate'], 'unknown config command "valdate"; use init, validate, show or schema; did you mean "validate"?', 'gov config init|validate|show|schema [options]'],
  ])('gov config %j exits 2', async (argv, message, usage) => {
    expect(await gov(argv)).toEqual({ code: 2, stdout: '', stderr: `gov: ${message}\nusage: ${usage}\n` });
  });
});
