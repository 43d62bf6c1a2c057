import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReclaimError } from './errors.js';
import { MAX_TARGET_BYTES, MIN_TARGET_BYTES } from './catalogue.js';
import { formatTargetDigits, validateCgroupPath, validateRequest, validateTargetBytes } from './validate.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ReclaimError);
    return (error as ReclaimError).code;
  }
}

describe('validateTargetBytes', () => {
  it('accepts whole numbers of bytes from 1 MiB to 64 GiB', () => {
    expect(validateTargetBytes(MIN_TARGET_BYTES)).toBe(1_048_576);
    expect(validateTargetBytes(MAX_TARGET_BYTES)).toBe(68_719_476_736);
    expect(validateTargetBytes(536_870_912)).toBe(536_870_912);
  });

  it.each([
    ['one byte under 1 MiB', MIN_TARGET_BYTES - 1],
    ['one byte over 64 GiB', MAX_TARGET_BYTES + 1],
    ['a float', 1_048_576.5],
    ['a negative', -1_048_576],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string of digits', '1048576'],
    ['a string with units', '512M'],
    ['a bigint', 1_048_576n],
    ['null', null],
    ['an object', { valueOf: (): number => 1_048_576 }],
  ])('refuses %s with GOV_RECLAIM_INVALID_TARGET', (_, value) => {
    expect(codeOf(() => validateTargetBytes(value))).toBe('GOV_RECLAIM_INVALID_TARGET');
  });

  it('names the bounds and the value in its message', () => {
    expect(() => validateTargetBytes('512M; rm -rf /')).toThrowErrorMatchingInlineSnapshot(
      `[ReclaimError: targetBytes must be a whole number of bytes from 1048576 (1 MiB) to 68719476736 (64 GiB); got "512M; rm -rf /"]`,
    );
  });

  it('accepts exactly the integers in range, for any input at all', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.double(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.maxSafeInteger()), (value) => {
        const valid = typeof value === 'number' && Number.isInteger(value) && value >= MIN_TARGET_BYTES && value <= MAX_TARGET_BYTES;
        if (valid) expect(formatTargetDigits(value)).toMatch(/^[1-9][0-9]{6,10}$/);
        else expect(codeOf(() => validateTargetBytes(value))).toBe('GOV_RECLAIM_INVALID_TARGET');
      }),
    );
  });
});

describe('validateCgroupPath', () => {
  it('accepts paths relative to the cgroup root', () => {
    expect(validateCgroupPath('docker/0123abcd')).toBe('docker/0123abcd');
    expect(validateCgroupPath('system.slice/docker-0123.scope')).toBe('system.slice/docker-0123.scope');
    expect(validateCgroupPath('user.slice/user-1000.slice/user@1000.service')).toBe('user.slice/user-1000.slice/user@1000.service');
  });

  it.each([
    ['..', 'it contains a ".." segment'],
    ['docker/../..', 'it contains a ".." segment'],
    ['./docker', 'it contains a "." segment'],
    ['/sys/fs/cgroup/memory', 'it is absolute'],
    ['docker//x', 'it contains an empty segment'],
    ['docker/', 'it contains an empty segment'],
    ['', 'it is empty (leave it out for the whole machine)'],
    ['docker/$(reboot)', 'it contains a character no cgroup name uses'],
    ['a b', 'it contains a character no cgroup name uses'],
    ['x\n', 'it contains a character no cgroup name uses'],
  ])('refuses %j: %s', (path, why) => {
    expect(() => validateCgroupPath(path)).toThrow(new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', `cgroup ${JSON.stringify(path)} is refused: ${why}; name it relative to the cgroup root, e.g. docker/<id>`));
    expect(codeOf(() => validateCgroupPath(path))).toBe('GOV_RECLAIM_INVALID_CGROUP');
  });

  it('never lets a generated path with a dot segment or a leading slash through', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('.', '..', ''), fc.string()), { minLength: 1, maxLength: 5 }), fc.boolean(), (segments, absolute) => {
        const path = `${absolute ? '/' : ''}${segments.join('/')}`;
        const accepted = codeOf(() => validateCgroupPath(path)) === undefined;
        if (accepted) {
          expect(path.startsWith('/')).toBe(false);
          expect(path.split('/').every((segment) => /^[A-Za-z0-9_.:@+=,-]+$/.test(segment) && segment !== '.' && segment !== '..')).toBe(true);
        }
      }),
    );
  });
});

describe('validateRequest', () => {
  it('fills in the defaults: sync first, level 1, whole machine, not a dry run', () => {
    expect(validateRequest({ method: 'drop_caches' })).toEqual({ method: 'drop_caches', level: 1, sync: true, targetBytes: null, cgroup: null, compact: false, dryRun: false });
    expect(validateRequest({ method: 'cgroup_reclaim', targetBytes: 536_870_912, cgroup: 'docker/abc', dryRun: true })).toEqual({
      method: 'cgroup_reclaim',
      level: 1,
      sync: true,
      targetBytes: 536_870_912,
      cgroup: 'docker/abc',
      compact: false,
      dryRun: true,
    });
    expect(validateRequest({ method: 'full', level: 3, sync: false })).toEqual({ method: 'full', level: 3, sync: false, targetBytes: null, cgroup: null, compact: false, dryRun: false });
  });

  it.each([
    [{ method: 'echo 3 > /proc/sys/vm/drop_caches' }, 'GOV_RECLAIM_INVALID_METHOD'],
    [{ method: 'compact' }, 'GOV_RECLAIM_INVALID_METHOD'],
    [null, 'GOV_RECLAIM_INVALID_METHOD'],
    [{ method: 'drop_caches', level: 4 }, 'GOV_RECLAIM_INVALID_LEVEL'],
    [{ method: 'drop_caches', level: '3' }, 'GOV_RECLAIM_INVALID_LEVEL'],
    [{ method: 'compact_memory', level: 1 }, 'GOV_RECLAIM_INVALID_LEVEL'],
    [{ method: 'drop_caches', compact: 'yes' }, 'GOV_RECLAIM_INVALID_METHOD'],
    [{ method: 'cgroup_reclaim', targetBytes: 2_097_152.5 }, 'GOV_RECLAIM_INVALID_TARGET'],
    [{ method: 'cgroup_reclaim', targetBytes: '512M' }, 'GOV_RECLAIM_INVALID_TARGET'],
    [{ method: 'cgroup_reclaim', cgroup: '../../etc' }, 'GOV_RECLAIM_INVALID_CGROUP'],
    [{ method: 'drop_caches', cgroup: 'docker/abc' }, 'GOV_RECLAIM_INVALID_CGROUP'],
    [{ method: 'full', dryRun: 'yes' }, 'GOV_RECLAIM_INVALID_METHOD'],
  ])('refuses %j with %s', (request, code) => {
    expect(codeOf(() => validateRequest(request))).toBe(code);
  });
});
