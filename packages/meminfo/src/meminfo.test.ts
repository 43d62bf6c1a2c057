import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeminfoParseError } from './errors.js';
import { parseLinuxMemory, parseMeminfo } from './meminfo.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('parseMeminfo', () => {
  it('turns kB into bytes and keeps unit-less counts', () => {
    expect(parseMeminfo('MemTotal:       24684084 kB\nActive(file):     526844 kB\nHugePages_Total:       3\n')).toEqual({
      MemTotal: 24684084 * 1024,
      'Active(file)': 526844 * 1024,
      HugePages_Total: 3,
    });
  });

  it('names the line that is broken', () => {
    expect(() => parseMeminfo('MemTotal: 1 kB\nMemFree 2 kB\n')).toThrowError(
      new MeminfoParseError('/proc/meminfo line 2: expected "Name: <number> kB", got "MemFree 2 kB"', { source: '/proc/meminfo', line: 2 }),
    );
  });
});

describe('parseLinuxMemory', () => {
  it('derives what free -b prints for a 6.18 kernel', () => {
    expect(parseLinuxMemory(fixture('linux-6.18-cgroup1-vm.meminfo'))).toEqual({
      total: 25276502016,
      used: 479805440,
      free: 23017394176,
      shared: 9084928,
      buffCache: 2073710592,
      available: 24796696576,
      swapTotal: 0,
      swapUsed: 0,
      swapFree: 0,
      buffers: 85069824,
      cached: 1853915136,
      sReclaimable: 134725632,
      shmem: 9084928,
      reclaimable: 2064625664,
      actualUsage: 194482176,
      activeFile: 545181696,
      inactiveFile: 1384718336,
    });
  });

  it('names a missing required field', () => {
    expect(() => parseLinuxMemory('MemFree: 2 kB\n')).toThrowError(
      new MeminfoParseError('/proc/meminfo: required field MemTotal is missing', { source: '/proc/meminfo', field: 'MemTotal' }),
    );
  });
});
