import { describe, expect, it } from 'vitest';
import { parseEnvironmentOverride } from './cli-args.js';
import { DaemonUsageError } from './errors.js';

describe('parseEnvironmentOverride ($GOV_ENVIRONMENT)', () => {
  it('names where govd runs, or leaves it to detection when unset or empty', () => {
    expect([parseEnvironmentOverride('wsl-guest'), parseEnvironmentOverride('linux'), parseEnvironmentOverride(''), parseEnvironmentOverride(undefined)]).toEqual(['wsl-guest', 'linux', null, null]);
  });

  it('refuses anything else, saying what is allowed', () => {
    expect(() => parseEnvironmentOverride('wsl2')).toThrow(new DaemonUsageError('GOV_ENVIRONMENT must be one of linux, wsl-guest, windows (or unset to detect); got "wsl2"'));
  });
});
