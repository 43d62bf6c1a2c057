import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freeColumns, parseFreeOutput } from '../test/free-output.js';
import { MeminfoParseError } from './errors.js';
import { parseLinuxMemory, parseMeminfo } from './meminfo.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const meminfoFixtures = readdirSync(fixtures)
  .filter((name) => name.endsWith('.meminfo'))
  .map((name) => name.slice(0, -'.meminfo'.length));

describe('parseMeminfo', () => {
  it('turns kB into bytes and keeps unit-less counts', () => {
    expect(parseMeminfo('MemTotal:       24684084 kB\nActive(file):     526844 kB\nHugePages_Total:       3\n')).toEqual({
      MemTotal: 24684084 * 1024,
      'Active(file)': 526844 * 1024,
      HugePages_Total: 3,
    });
  });

  it('reads every field of a real kernel', () => {
    const fields = parseMeminfo(fixture('linux-6.18-cgroup1-vm.meminfo'));
    expect(Object.keys(fields)).toHaveLength(54);
    expect([fields['VmallocTotal'], fields['HugePages_Total'], fields['Hugepagesize']]).toEqual([34359738367 * 1024, 0, 2048 * 1024]);
  });

  it('accepts CRLF line ends', () => {
    expect(parseMeminfo('MemTotal: 4 kB\r\nMemFree: 2 kB\r\n')).toEqual({ MemTotal: 4096, MemFree: 2048 });
  });

  it('names the line that is broken', () => {
    expect(() => parseMeminfo('MemTotal: 1 kB\nMemFree 2 kB\n')).toThrowError(
      new MeminfoParseError('/proc/meminfo line 2: expected "Name: <number> kB", got "MemFree 2 kB"', { source: '/proc/meminfo', line: 2 }),
    );
  });

  it('refuses a field given twice', () => {
    expect(() => parseMeminfo('MemTotal: 1 kB\nMemTotal: 2 kB\n')).toThrowError('/proc/meminfo line 2: field MemTotal appears twice');
  });

  it('refuses a value it cannot hold exactly', () => {
    expect(() => parseMeminfo('MemTotal: 9007199254740993 kB\n')).toThrowError(
      '/proc/meminfo line 1: MemTotal = 9007199254740993 is too large to hold exactly',
    );
  });

  it('holds a kB count beyond 2^53 bytes exactly: VmallocTotal on a kernel with 5-level paging', () => {
    // Recorded on Debian's 6.12 kernel on a CPU with la57: 13743895347199 kB is 2^53.6 bytes,
    // a multiple of 1024, so it is held exactly although it is above Number.MAX_SAFE_INTEGER.
    const fields = parseMeminfo(fixture('linux-6.12-la57.meminfo'));
    expect(fields['VmallocTotal']).toBe(13743895347199 * 1024);
    expect(BigInt(fields['VmallocTotal'] as number)).toBe(13743895347199n * 1024n);
    expect(parseMeminfo('VmallocTotal:   13743895347199 kB\n')).toEqual({ VmallocTotal: 14073748835531776 });
  });

  it('keeps a field named like an Object.prototype member as plain data', () => {
    const fields = parseMeminfo('__proto__: 1 kB\nconstructor: 2 kB\n');
    expect([Object.getPrototypeOf(fields), Object.keys(fields)]).toEqual([Object.prototype, ['__proto__', 'constructor']]);
  });
});

describe('parseLinuxMemory against procps-ng 4.0.2 free -b', () => {
  // Each .free-b file is what the real `free -b` printed with that .meminfo bind-mounted over
  // /proc/meminfo (meminfo.int.test.ts re-runs it live).
  it.each(meminfoFixtures)('%s', (name) => {
    expect(freeColumns(parseLinuxMemory(fixture(`${name}.meminfo`)))).toEqual(parseFreeOutput(fixture(`${name}.free-b`)));
  });
});

describe('parseLinuxMemory', () => {
  it('derives everything for a 6.18 kernel', () => {
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
      buffers: 83076 * 1024,
      cached: 1810464 * 1024,
      sReclaimable: 131568 * 1024,
      shmem: 8872 * 1024,
      reclaimable: (83076 + 1810464 - 8872 + 131568) * 1024,
      actualUsage: 25276502016 - 23017394176 - (83076 + 1810464 - 8872 + 131568) * 1024,
      activeFile: 532404 * 1024,
      inactiveFile: 1352264 * 1024,
    });
  });

  it('reports fields a 2.6.18 kernel lacks as null, and available as MemFree like free', () => {
    expect(parseLinuxMemory(fixture('linux-2.6.18-rhel5.meminfo'))).toEqual({
      total: 8174528 * 1024,
      used: (8174528 - 283612) * 1024,
      free: 283612 * 1024,
      shared: 0,
      buffCache: (301472 + 6327168) * 1024,
      available: 283612 * 1024,
      swapTotal: 10241428 * 1024,
      swapUsed: (10241428 - 10241268) * 1024,
      swapFree: 10241268 * 1024,
      buffers: 301472 * 1024,
      cached: 6327168 * 1024,
      sReclaimable: null,
      shmem: null,
      reclaimable: (301472 + 6327168) * 1024,
      actualUsage: (8174528 - 283612 - 301472 - 6327168) * 1024,
      activeFile: null,
      inactiveFile: null,
    });
  });

  it('uses MemFree as available when MemAvailable exceeds MemTotal (lxcfs)', () => {
    const memory = parseLinuxMemory(fixture('lxcfs-available-above-total.meminfo'));
    expect([memory.available, memory.used]).toEqual([3671204 * 1024, (4194304 - 3671204) * 1024]);
  });

  it('uses MemFree as available when MemAvailable is 0', () => {
    const memory = parseLinuxMemory('MemTotal: 100 kB\nMemFree: 40 kB\nMemAvailable: 0 kB\n');
    expect([memory.available, memory.used]).toEqual([40 * 1024, 60 * 1024]);
  });

  it('reports no swap in use when SwapFree exceeds SwapTotal', () => {
    expect(parseLinuxMemory('MemTotal: 100 kB\nMemFree: 40 kB\nSwapTotal: 10 kB\nSwapFree: 12 kB\n').swapUsed).toBe(0);
  });

  it('does not count shared memory as reclaimable', () => {
    const memory = parseLinuxMemory('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 500 kB\nShmem: 300 kB\nSReclaimable: 40 kB\n');
    expect([memory.buffCache, memory.reclaimable, memory.actualUsage]).toEqual([550 * 1024, 250 * 1024, 650 * 1024]);
  });

  it('names a missing required field', () => {
    expect(() => parseLinuxMemory('MemFree: 2 kB\n')).toThrowError(
      new MeminfoParseError('/proc/meminfo: required field MemTotal is missing', { source: '/proc/meminfo', field: 'MemTotal' }),
    );
    expect(() => parseLinuxMemory('MemTotal: 2 kB\n')).toThrowError('/proc/meminfo: required field MemFree is missing');
  });
});
