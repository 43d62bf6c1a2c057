import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuTimes } from './cpu.js';
import { MeminfoParseError } from './errors.js';

describe('parseCpuTimes', () => {
  it('counts everything but idle and iowait as busy; guest time is already inside user', () => {
    const text = 'cpu  669147 90 77925 1536257 7265 0 2525 28282 1000 0\ncpu0 336557 46 38867 766007 4324 0 1024 13880 0 0\nintr 1 2 3\n';
    const busy = 669147 + 90 + 77925 + 0 + 2525 + 28282;
    expect(parseCpuTimes(text)).toEqual({ busy, total: busy + 1536257 + 7265 });
  });

  it('reads old kernels with fewer fields, the missing ones being 0', () => {
    expect(parseCpuTimes('cpu 10 0 5 100\n')).toEqual({ busy: 15, total: 115 });
  });

  it('refuses text that is not /proc/stat, naming the line and field', () => {
    expect(() => parseCpuTimes('MemTotal: 1 kB\n')).toThrow(/\/proc\/stat line 1: expected the all-CPU line/);
    expect(() => parseCpuTimes('cpu 1 2 3\n')).toThrow(/at least user, nice, system and idle, got 3/);
    const error = (() => {
      try {
        parseCpuTimes('cpu 1 2 x 4\n');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(MeminfoParseError);
    expect((error as MeminfoParseError).field).toBe('system');
  });

  it('parses this machine\'s /proc/stat, and busy and total only grow', async () => {
    const first = parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    const second = parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
    expect(first.busy).toBeGreaterThan(0);
    expect(first.total).toBeGreaterThan(first.busy);
    expect(second.busy).toBeGreaterThanOrEqual(first.busy);
    expect(second.total).toBeGreaterThan(first.total);
  });
});
