import { describe, expect, it } from 'vitest';
import { HELP, parseEnvironmentOverride, parseGovdArgs } from './cli-args.js';
import { DaemonUsageError } from './errors.js';

describe('parseGovdArgs', () => {
  it('reads every flag', () => {
    expect(parseGovdArgs(['--config', '/etc/gov/config.toml', '--dry-run', '--log-format', 'pretty'])).toEqual({ configPath: '/etc/gov/config.toml', dryRun: true, logFormat: 'pretty', help: false, version: false });
    expect(parseGovdArgs([])).toEqual({ configPath: null, dryRun: false, logFormat: null, help: false, version: false });
    expect(parseGovdArgs(['--version']).version).toBe(true);
    expect(parseGovdArgs(['-h']).help).toBe(true);
  });

  it.each([
    [['--dryrun'], 'unknown option --dryrun; did you mean --dry-run?'],
    [['--verbose'], 'unknown option --verbose'],
    [['--log-format', 'yaml'], '--log-format: "yaml" is not one of auto, json, pretty'],
    [['--config', ' '], '--config needs a path'],
    [['now'], "Unexpected argument 'now'"],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseGovdArgs(argv)).toThrow(expect.objectContaining({ code: 'GOV_DAEMON_USAGE', exitCode: 2, message: expect.stringMatching(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)) }));
  });

  it('documents every flag in --help, with its default', () => {
    for (const flag of ['--config PATH', '--dry-run', '--log-format auto|json|pretty', '--version', '-h, --help']) expect(HELP).toContain(`\n  ${flag}\n`);
    expect(HELP.replace(/\s+/g, ' ')).toContain('(default: daemon.log_format of the config: pretty on a terminal, JSON otherwise)');
  });
});

describe('parseEnvironmentOverride ($GOV_ENVIRONMENT)', () => {
  it('names where govd runs, or leaves it to detection when unset or empty', () => {
    expect([parseEnvironmentOverride('wsl-guest'), parseEnvironmentOverride('linux'), parseEnvironmentOverride(''), parseEnvironmentOverride(undefined)]).toEqual(['wsl-guest', 'linux', null, null]);
  });

  it('refuses anything else, saying what is allowed', () => {
    expect(() => parseEnvironmentOverride('wsl2')).toThrow(new DaemonUsageError('GOV_ENVIRONMENT must be one of linux, wsl-guest, windows (or unset to detect); got "wsl2"'));
  });
});
