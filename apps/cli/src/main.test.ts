import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { runMain } from './main.js';
import { createTestIo } from './test-io.js';

describe('the command registry', () => {
  it('lists each command under the name and summary its module gives it', async () => {
    const loaded = await Promise.all(commands.map((entry) => entry.load()));
    expect(commands.map(({ name, summary }) => ({ name, summary }))).toEqual(loaded.map(({ name, summary }) => ({ name, summary })));
  });
});

describe('runMain', () => {
  it('lists every command on --help and exits 0', async () => {
    const { io, stdout } = createTestIo();
    expect(await runMain(['--help'], io)).toBe(0);
    for (const entry of commands) expect(stdout()).toContain(`  ${entry.name}`);
  });

  it('exits 2 with the list of commands for one it does not know', async () => {
    const { io, stderr } = createTestIo();
    expect(await runMain(['defrag'], io)).toBe(2);
    expect(stderr()).toBe('gov: unknown command "defrag"; commands: status, reclaim, docker, history, feedback, learn, config\n');
  });

  it('answers --json failures with one JSON error object', async () => {
    const { io, stdout } = createTestIo();
    expect(await runMain(['reclaim', '--target', 'lots', '--json'], io)).toBe(2);
    expect(JSON.parse(stdout())).toMatchObject({ error: { code: 'GOV_CLI_USAGE' } });
  });

  it('prints a command usage on <command> --help', async () => {
    const { io, stdout } = createTestIo();
    expect(await runMain(['history', '--help'], io)).toBe(0);
    expect(stdout()).toMatch(/^show what the governor did: reclaims, pauses, vetoes, errors, feedback\n\nUsage: gov history/);
  });
});
