import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCgroupV2Kernel, CGROUP_ROOT, createCgroup, MiB, uniqueName, type TestCgroup } from '../../../tools/test-support/cgroup-lab.js';
import { readCgroupMemory } from './cgroup.js';
import { parsePressure } from './pressure.js';
import { readSnapshot } from './snapshot.js';

// On a real cgroup-v2 kernel (the lab guest, `npm run test:v2`): the files are the kernel's.
assertCgroupV2Kernel();

const pressureLine = { avg10: expect.any(Number), avg60: expect.any(Number), avg300: expect.any(Number), totalUs: expect.any(Number) };

describe('readCgroupMemory on a real cgroup v2', () => {
  let limited: TestCgroup;
  let unlimited: TestCgroup;
  beforeAll(async () => {
    limited = await createCgroup(uniqueName('gov-meminfo-limited'));
    unlimited = await createCgroup(uniqueName('gov-meminfo-unlimited'));
    await writeFile(`${limited.dir}/memory.max`, String(256 * MiB));
  });
  afterAll(async () => {
    await limited?.remove();
    await unlimited?.remove();
  });

  it('reads memory.current, memory.max, memory.stat and memory.pressure of a cgroup holding 64 MiB of page cache', async () => {
    await limited.fillPageCache(64 * MiB);

    const memory = await readCgroupMemory(limited.dir);

    // Nothing runs in the cgroup any more: its page cache stays, and its usage moves only by the
    // kernel objects the filler left behind, freed on the kernel's own time (pages, not MiB).
    expect(Math.abs(memory.usage - (await limited.current()))).toBeLessThan(MiB);
    expect(memory).toEqual({
      version: 2,
      usage: memory.usage,
      limit: 256 * MiB,
      stat: expect.objectContaining({ anon: expect.any(Number), file: expect.any(Number), shmem: 0, inactive_file: expect.any(Number), active_file: expect.any(Number) }),
      pressure: { some: pressureLine, full: pressureLine },
    });
    expect(memory.stat['file']).toBeGreaterThanOrEqual(64 * MiB);
    expect(memory.usage).toBeGreaterThanOrEqual(memory.stat['file'] as number);
    expect((memory.stat['active_file'] as number) + (memory.stat['inactive_file'] as number)).toBe(memory.stat['file']);
  });

  it('reports "max" as no limit', async () => {
    expect(await readFile(`${unlimited.dir}/memory.max`, 'utf8')).toBe('max\n');
    expect((await readCgroupMemory(unlimited.dir)).limit).toBeNull();
  });

  it('reads a stall in memory.pressure when a cgroup thrashes against its memory.max', async () => {
    const thrashing = await createCgroup(uniqueName('gov-meminfo-thrash'));
    try {
      const file = await thrashing.fillPageCache(96 * MiB);
      await writeFile(`${thrashing.dir}/memory.max`, String(32 * MiB));
      // Reading 96 MiB three times through 32 MiB: every pass reclaims inside the cgroup.
      await thrashing.run(`for pass in 1 2 3; do cat "${file}" >/dev/null; done`);

      const memory = await readCgroupMemory(thrashing.dir);

      expect(memory.usage).toBeLessThanOrEqual(32 * MiB);
      expect(memory.pressure?.some.totalUs).toBeGreaterThan(0);
      expect(memory.stat['workingset_refault_file']).toBeGreaterThan(0);
    } finally {
      await thrashing.remove();
    }
  });

  it('the root cgroup has memory.stat and memory.pressure but no memory.current: it is refused with a clear error', async () => {
    expect((await readFile(`${CGROUP_ROOT}/memory.stat`, 'utf8')).startsWith('anon ')).toBe(true);
    await expect(readCgroupMemory(CGROUP_ROOT)).rejects.toThrow(`${CGROUP_ROOT} is not a memory cgroup: it has neither memory.current (v2) nor memory.usage_in_bytes (v1)`);
  });
});

describe('PSI and readSnapshot on a real cgroup-v2 kernel booted with psi=1', () => {
  it('parses /proc/pressure/memory', async () => {
    expect(parsePressure(await readFile('/proc/pressure/memory', 'utf8'))).toEqual({ some: pressureLine, full: pressureLine });
  });

  it('reads every Linux source with nothing degraded', async () => {
    const snapshot = await readSnapshot();

    expect(snapshot.degraded).toEqual([]);
    expect(snapshot.environment).toBe('linux');
    expect(snapshot.pressure).toEqual({ some: pressureLine, full: pressureLine });
    expect(snapshot.linux?.total).toBeGreaterThan(0);
    expect(snapshot.vmstat).not.toBeNull();
    expect(snapshot.cpu).not.toBeNull();
    expect(snapshot.host).toEqual({ total: snapshot.linux?.total, available: snapshot.linux?.available, vmmem: null });
  });
});
