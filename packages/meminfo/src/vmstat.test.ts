import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeminfoParseError } from './errors.js';
import { parseVmstat, parseVmstatCounters } from './vmstat.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('parseVmstat', () => {
  it('reads a 6.18 kernel: refaults split by type, reclaim from the anon/file counters', () => {
    expect(parseVmstat(fixture('linux-6.18.vmstat'))).toEqual({
      workingsetRefaultFile: 1,
      workingsetRefaultAnon: 0,
      pgmajfault: 659,
      oomKill: 0,
      pgsteal: 51201,
      pgscan: 96769,
    });
  });

  it('reads a 4.4 kernel: one refault counter, per-zone reclaim counters, no oom_kill', () => {
    expect(parseVmstat(fixture('linux-4.4-ubuntu16.vmstat'))).toEqual({
      workingsetRefaultFile: 412308,
      workingsetRefaultAnon: null,
      pgmajfault: 52190,
      oomKill: null,
      pgsteal: 3081977 + 12563,
      pgscan: 3220361 + 13440,
    });
  });

  it('leaves throttling events out of pages scanned', () => {
    expect(parseVmstat('pgscan_kswapd 10\npgscan_direct 5\npgscan_direct_throttle 7\n').pgscan).toBe(15);
  });

  it('refuses a file with no counters at all (an empty /proc/vmstat) rather than reading it as all null', () => {
    for (const text of ['', '\n\n']) expect(() => parseVmstat(text)).toThrow(new MeminfoParseError('/proc/vmstat holds no counters', { source: '/proc/vmstat' }));
  });

  it('reports every counter it lacks as null', () => {
    expect(parseVmstat('nr_free_pages 10\n')).toEqual({
      workingsetRefaultFile: null,
      workingsetRefaultAnon: null,
      pgmajfault: null,
      oomKill: null,
      pgsteal: null,
      pgscan: null,
    });
  });
});

describe('parseVmstatCounters', () => {
  it('keeps every counter', () => {
    expect(Object.keys(parseVmstatCounters(fixture('linux-4.4-ubuntu16.vmstat')))).toHaveLength(123);
  });

  it('names a broken line', () => {
    expect(() => parseVmstatCounters('nr_free_pages 10\npgmajfault\n')).toThrowError('/proc/vmstat line 2: expected "name <integer>", got "pgmajfault"');
  });
});
