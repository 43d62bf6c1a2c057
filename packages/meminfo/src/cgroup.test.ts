import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCgroupMemory } from './cgroup.js';
import { parseCgroupLimit, parseMemoryStat } from './cgroup-files.js';
import { MeminfoParseError, MeminfoSourceError } from './errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-cgroup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(entries: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(entries)) await writeFile(join(dir, name), text);
}

describe('parseMemoryStat', () => {
  it('reads every counter of a v2 memory.stat', () => {
    expect(parseMemoryStat('anon 1052672\nfile 8192000\nkernel 290816\nworkingset_refault_file 12\npgmajfault 3\n')).toEqual({
      anon: 1052672,
      file: 8192000,
      kernel: 290816,
      workingset_refault_file: 12,
      pgmajfault: 3,
    });
  });

  it('keeps the v1 unlimited sentinel as a number', () => {
    expect(parseMemoryStat('cache 4096\nhierarchical_memory_limit 9223372036854771712\n')).toEqual({
      cache: 4096,
      hierarchical_memory_limit: 9223372036854771712,
    });
  });

  it('names the broken line', () => {
    expect(() => parseMemoryStat('cache 4096\nrss lots\n')).toThrowError(
      new MeminfoParseError('memory.stat line 2: expected "name <integer>", got "rss lots"', { source: 'memory.stat', line: 2 }),
    );
  });
});

describe('parseCgroupLimit', () => {
  it('maps "max" and the v1 sentinel to null', () => {
    expect([parseCgroupLimit('max\n', 'memory.max'), parseCgroupLimit('9223372036854771712\n', 'memory.limit_in_bytes'), parseCgroupLimit('536870912\n', 'memory.max')]).toEqual([
      null,
      null,
      536870912,
    ]);
  });
});

describe('readCgroupMemory', () => {
  it('reads a v2 cgroup directory', async () => {
    await files({
      'memory.current': '7340032\n',
      'memory.max': '268435456\n',
      'memory.stat': 'anon 4096\nfile 8192\n',
      'memory.pressure': 'some avg10=0.10 avg60=0.05 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=12\n',
    });
    expect(await readCgroupMemory(dir)).toEqual({
      version: 2,
      usage: 7340032,
      limit: 268435456,
      stat: { anon: 4096, file: 8192 },
      pressure: { some: { avg10: 0.1, avg60: 0.05, avg300: 0, totalUs: 1234 }, full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 12 } },
    });
  });

  it('reads a v1 cgroup directory', async () => {
    await files({
      'memory.usage_in_bytes': '1220608\n',
      'memory.limit_in_bytes': '9223372036854771712\n',
      'memory.stat': 'cache 811008\nrss 94208\n',
    });
    expect(await readCgroupMemory(`${dir}/`)).toEqual({ version: 1, usage: 1220608, limit: null, stat: { cache: 811008, rss: 94208 }, pressure: null });
  });

  it('refuses a directory that is not a memory cgroup', async () => {
    await expect(readCgroupMemory(dir)).rejects.toThrowError(
      new MeminfoSourceError(`${dir} is not a memory cgroup: it has neither memory.current (v2) nor memory.usage_in_bytes (v1)`, {
        code: 'GOV_MEMINFO_READ_FAILED',
        source: 'cgroup',
      }),
    );
  });
});
