import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { commands } from './commands/index.js';
import { runMain } from './main.js';
import { allOptions, type CommandSpec } from './spec.js';
import { createTestIo } from './test-io.js';

async function gov(argv: string[]) {
  const test = createTestIo();
  const code = await runMain(argv, test.io);
  return { code, stdout: test.stdout(), stderr: test.stderr() };
}

/** Every command and subcommand with its path: `[['status'], ['docker', 'ls'], …]`. */
const everyCommand: [string, CommandSpec][] = commands.flatMap(({ spec }) => [[spec.name, spec] as [string, CommandSpec], ...(spec.subcommands ?? []).map((sub): [string, CommandSpec] => [`${spec.name} ${sub.name}`, sub])]);

describe('the command registry', () => {
  it('lists each command under the spec its module runs with', async () => {
    const loaded = await Promise.all(commands.map((entry) => entry.load()));
    expect(loaded.map((command) => command.spec)).toEqual(commands.map((entry) => entry.spec));
    expect(loaded.every((command, index) => command.spec === commands[index]?.spec)).toBe(true);
  });
});

describe('gov --help, gov help, --version', () => {
  it('lists every command on --help and exits 0; with no command at all, exits 2', async () => {
    const help = await gov(['--help']);
    expect(help.code).toBe(0);
    for (const entry of commands) expect(help.stdout).toContain(`\n  ${entry.spec.name.padEnd(10)}  ${entry.spec.summary.slice(0, 40)}`);
    expect(await gov([])).toEqual({ ...help, code: 2 });
    expect(await gov(['help'])).toEqual(help);
  });

  it('prints the version of the package, alone on its line', async () => {
    expect(await gov(['--version'])).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it.each(everyCommand)('gov %s --help prints every flag with its meaning and default, as gov help does', async (path, spec) => {
    const words = path.split(' ');
    const help = await gov([...words, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.startsWith(`gov ${path} — `)).toBe(true);
    const flat = help.stdout.replace(/\s+/g, ' ');
    for (const [name, option] of Object.entries(allOptions(spec))) {
      expect(flat).toContain(`--${name}`);
      expect(flat).toContain(option.description.replace(/\s+/g, ' '));
      if (option.defaultText) expect(flat).toContain(`(default: ${option.defaultText})`);
    }
    for (const sub of spec.subcommands ?? []) expect(help.stdout).toContain(`\n  ${sub.name}`);
    expect(await gov(['help', ...words])).toEqual(help);
    expect(await gov([...words, '-h'])).toEqual(help);
  });

  it('renders a subcommand help with its usage wrapped under the first flag', async () => {
    expect((await gov(['docker', 'ls', '--help'])).stdout).toBe(`gov docker ls — list running and paused containers with memory, cache, CPU and
how long each has been idle

Usage: gov docker ls [--sample DURATION] [--config PATH] [--state-dir PATH]
                     [--json]

Options:
      --sample DURATION  sample CPU use for this long here instead of asking
                         govd, e.g. 2s (default: govd's last listing when govd
                         runs, else one listing without CPU %)
      --config PATH      the config file to read (default: $GOV_CONFIG,
                         ~/.config/gov/config.toml, /etc/gov/config.toml, else
                         the built-in defaults)
      --state-dir PATH   govd's state directory (history, token, learned model,
                         paused containers) (default: $GOV_STATE_DIR,
                         $STATE_DIRECTORY, else the config's daemon.state_dir)
      --json             print one JSON object instead of text (errors too)
  -h, --help             show this help
`);
  });
});

describe('mistakes', () => {
  it('suggests the command meant, and exits 2', async () => {
    expect(await gov(['stauts'])).toEqual({ code: 2, stdout: '', stderr: 'gov: unknown command "stauts"; did you mean "status"?\nusage: gov COMMAND [options]   ("gov --help" lists the commands)\n' });
    expect(await gov(['defrag'])).toEqual({ code: 2, stdout: '', stderr: 'gov: unknown command "defrag"\nusage: gov COMMAND [options]   ("gov --help" lists the commands)\n' });
    expect(await gov(['help', 'reclam'])).toMatchObject({ code: 2, stderr: 'gov: unknown command "reclam"; did you mean "reclaim"?\nusage: gov COMMAND [options]   ("gov --help" lists the commands)\n' });
  });

  it('suggests the flag, subcommand and value meant', async () => {
    expect(await gov(['reclaim', '--metod', 'full'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'gov: unknown option --metod; did you mean --method?\nusage: gov reclaim [--method METHOD] [--level 1|2|3] [--target SIZE] [--cgroup PATH] [--no-sync] [--compact] [--distro NAME] [--dry-run] [--json]\n',
    });
    expect((await gov(['docker', 'lss'])).stderr).toBe('gov: unknown docker command "lss"; use ls, pause-idle or unpause; did you mean "ls"?\nusage: gov docker ls|pause-idle|unpause [options]\n');
    expect((await gov(['reclaim', '--method', 'drop-caches'])).stderr.split('\n')[0]).toBe('gov: --method: "drop-caches" is not a reclaim method; use drop_caches, compact_memory, cgroup_reclaim, full (or compact, cgroup); did you mean "drop_caches"?');
    expect((await gov(['completion', 'zhs'])).stderr.split('\n')[0]).toBe('gov: unknown shell "zhs"; use bash, zsh or fish; did you mean "zsh"?');
  });

  it('says a flag of a sibling subcommand does not apply here', async () => {
    expect(await gov(['docker', 'ls', '--idle', '5m'])).toEqual({ code: 2, stdout: '', stderr: 'gov: --idle does not apply to "gov docker ls"\nusage: gov docker ls [--sample DURATION] [--config PATH] [--state-dir PATH] [--json]\n' });
  });

  it('answers --json failures with one JSON error object, did-you-mean included', async () => {
    const failed = await gov(['reclaim', '--target', 'lots', '--json']);
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout)).toEqual({ error: { name: 'UsageError', code: 'GOV_CLI_USAGE', message: '--target: "lots" is not a size; use plain bytes or a number with K, M, G (or KiB, MiB, GiB), e.g. 512M' } });
    expect(JSON.parse((await gov(['history', '--limt', '3', '--json'])).stdout)).toEqual({ error: { name: 'UsageError', code: 'GOV_CLI_USAGE', message: 'unknown option --limt; did you mean --limit?' } });
  });
});
