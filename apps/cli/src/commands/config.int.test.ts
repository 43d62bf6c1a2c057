import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// Runs the built program, as a user would: build it first with `npx nx run @gov/cli:build`.
const GOV = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));

let home: string;

function gov(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: home, NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(process.execPath, [GOV, 'config', ...args], { env }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ exitCode, stdout, stderr });
    });
  });
}

describe('gov config, built', () => {
  beforeAll(() => {
    if (!existsSync(GOV)) throw new Error(`${GOV} is missing: run \`npx nx run @gov/cli:build\` first`);
  });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'gov-config-e2e-'));
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('init writes a file that validate accepts and show reads back; a second init keeps it', async () => {
    const path = join(home, '.config', 'gov', 'config.toml');
    expect(await gov('init')).toEqual({ exitCode: 0, stdout: `wrote ${path}\n`, stderr: '' });
    await writeFile(path, (await readFile(path, 'utf8')).replace('policy = "dynamic"', 'policy = "scheduled"'));
    expect(await gov('validate')).toEqual({ exitCode: 0, stdout: `${path}: valid\n`, stderr: '' });
    const second = await gov('init');
    expect(second.exitCode).toBe(1);
    const shown = await gov('show', '--json');
    expect(shown.exitCode).toBe(0);
    expect((JSON.parse(shown.stdout) as { path: string; config: { governor: { policy: string } } }).config.governor.policy).toBe('scheduled');
  });

  it('validate exits 2 naming every bad key, as text and as JSON', async () => {
    const path = join(home, 'bad.toml');
    await writeFile(path, '[wsl_governor]\ncheck_interval_secs = 0\nwindows_target_available_percent = 101\n[docker]\nmax_pauses_per_tik = 3\n');
    expect(await gov('validate', '--path', path)).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `gov: invalid config ${path}:\n  wsl_governor.check_interval_secs: 0 is below the minimum 1\n  wsl_governor.windows_target_available_percent: 101 is above the maximum 100\n  docker.max_pauses_per_tik: unknown key; did you mean "max_pauses_per_tick"?\n`,
    });
    const json = await gov('validate', '--path', path, '--json');
    expect(json.exitCode).toBe(2);
    expect((JSON.parse(json.stdout) as { problems: { path: string }[] }).problems.map((problem) => problem.path)).toEqual([
      'wsl_governor.check_interval_secs',
      'wsl_governor.windows_target_available_percent',
      'docker.max_pauses_per_tik',
    ]);
  });

  it('a TOML syntax error exits 2 with its line and column', async () => {
    const path = join(home, 'broken.toml');
    await writeFile(path, '[governor]\npolicy = "dynamic"\nlinux_min_mb 2048\n');
    expect(await gov('validate', '--path', path)).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `gov: invalid config ${path}:\n  (file): TOML syntax error at line 3, column 1: incomplete key-value: cannot find end of key\n`,
    });
  });

  it('schema prints a JSON Schema describing every table', async () => {
    const { exitCode, stdout } = await gov('schema');
    expect(exitCode).toBe(0);
    const schema = JSON.parse(stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(['governor', 'docker', 'kubernetes', 'daemon', 'wsl_governor']);
  });
});
