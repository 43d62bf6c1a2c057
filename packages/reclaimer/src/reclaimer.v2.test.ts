import { readFile } from 'node:fs/promises';
import { readLinuxMemory } from '@gov/meminfo';
import { afterAll, describe, expect, it } from 'vitest';
import { assertCgroupV2Kernel, CGROUP_ROOT, createCgroup, kernelSeries, MiB, statValue, uniqueName, type TestCgroup } from '../../../tools/test-support/cgroup-lab.js';
import { createLocalExecutor } from './local-executor.js';
import { createReclaimer } from './reclaimer.js';

// On a real cgroup-v2 kernel (the lab guest, `npm run test:v2`), as root. The lab runs this file
// on Debian 12's 6.12 kernel, which takes "N swappiness=0", and on its 6.1 kernel, which answers
// EINVAL to the keyword: the reclaimer must then write the byte count alone.
assertCgroupV2Kernel();

const refusesSwappiness = kernelSeries() === '6.1';
const cgroups: TestCgroup[] = [];
afterAll(async () => {
  for (const cgroup of cgroups) await cgroup.remove();
});

async function cgroupWithPageCache(prefix: string, bytes: number): Promise<TestCgroup> {
  const cgroup = await createCgroup(uniqueName(prefix));
  cgroups.push(cgroup);
  await cgroup.fillPageCache(bytes);
  expect(await cgroup.stat('file')).toBeGreaterThanOrEqual(bytes);
  return cgroup;
}

function memoryReclaimDetail(bytes: number, target: string, sized?: string): string {
  if (refusesSwappiness) return [`write "${bytes}" to memory.reclaim of ${target} (v2)`, sized, 'the kernel refused "swappiness=0" (EINVAL)'].filter(Boolean).join('; ');
  return [`write "${bytes} swappiness=0" to memory.reclaim of ${target} (v2)`, sized].filter(Boolean).join('; ');
}

describe('cgroup_reclaim through memory.reclaim on a real kernel', () => {
  it('finds the unified hierarchy with the memory controller in the real mount table', async () => {
    expect(await createLocalExecutor().readCgroupLayout()).toEqual({ v2Memory: CGROUP_ROOT, v1Memory: null });
  });

  it('takes 100 MiB from a cgroup holding 200 MiB of page cache, and freedBytes is what left the cgroup', async () => {
    const cgroup = await cgroupWithPageCache('gov-reclaim-target', 200 * MiB);
    const usageBefore = await cgroup.current();
    const fileBefore = await cgroup.stat('file');

    const result = await createReclaimer().reclaim({ method: 'cgroup_reclaim', cgroup: cgroup.path, targetBytes: 100 * MiB });

    const usageAfter = await cgroup.current();
    const fileAfter = await cgroup.stat('file');
    expect(result.steps.map((step) => [step.name, step.status, step.detail])).toEqual([['cgroup_reclaim', 'ok', memoryReclaimDetail(100 * MiB, `cgroup ${cgroup.path}`)]]);
    expect(result.fallback).toBeUndefined();
    // Nothing runs in the cgroup, so its page cache changes only through the reclaim. Its usage
    // also counts kernel objects the filler left behind, which the kernel frees later,
    // on its own: 6.1 was seen 65 pages lower at the reclaimer's read than at the test's a moment before.
    expect(result.freedMeasure).toBe('cgroup');
    expect(result.cgroup?.path).toBe(cgroup.path);
    const { before, after } = result.cgroup ?? { before: null, after: null };
    if (!before || !after) throw new Error(`the reclaimer did not measure the cgroup: ${JSON.stringify(result.cgroup)}`);
    expect([before.file, after.file]).toEqual([fileBefore, fileAfter]);
    expect(Math.abs(before.usage - usageBefore)).toBeLessThan(MiB);
    expect(Math.abs(after.usage - usageAfter)).toBeLessThan(MiB);
    expect(result.freedBytes).toBe(before.usage - after.usage);
    expect(fileBefore - fileAfter).toBeGreaterThanOrEqual(100 * MiB);
    // 6.12 stops at the target (a batch of pages over at most); 6.1 without the keyword may take more.
    if (!refusesSwappiness) expect(fileBefore - fileAfter).toBeLessThan(104 * MiB);
  });

  it('without a target, takes all the page cache the cgroup holds', async () => {
    const cgroup = await cgroupWithPageCache('gov-reclaim-all', 64 * MiB);
    const reclaimable = (await cgroup.stat('file')) - (await cgroup.stat('shmem'));

    const result = await createReclaimer().reclaim({ method: 'cgroup_reclaim', cgroup: cgroup.path });

    expect(result.steps.map((step) => [step.name, step.status, step.detail])).toEqual([
      ['cgroup_reclaim', 'ok', memoryReclaimDetail(reclaimable, `cgroup ${cgroup.path}`, `target ${reclaimable} bytes: what the cgroup holds as reclaimable cache`)],
    ]);
    expect(await cgroup.stat('file')).toBeLessThan(MiB);
    expect(result.freedMeasure).toBe('cgroup');
    expect(result.freedBytes).toBeGreaterThanOrEqual(reclaimable - MiB);
  });

  it('reclaims the whole machine through the root cgroup memory.reclaim, measured on the machine', async () => {
    await cgroupWithPageCache('gov-reclaim-machine', 128 * MiB);
    const rootFileBefore = statValue(await readFile(`${CGROUP_ROOT}/memory.stat`, 'utf8'), 'file');
    const cachedBefore = (await readLinuxMemory()).cached;

    const result = await createReclaimer().reclaim({ method: 'cgroup_reclaim', targetBytes: 64 * MiB });

    expect(result.steps.map((step) => [step.name, step.status, step.detail])).toEqual([['cgroup_reclaim', 'ok', memoryReclaimDetail(64 * MiB, 'the root cgroup')]]);
    expect(result.fallback).toBeUndefined();
    expect(result.cgroup).toBeUndefined();
    expect(result.freedMeasure).toBe('machine');
    const rootFileAfter = statValue(await readFile(`${CGROUP_ROOT}/memory.stat`, 'utf8'), 'file');
    expect(rootFileBefore - rootFileAfter).toBeGreaterThanOrEqual(60 * MiB);
    expect(cachedBefore - (await readLinuxMemory()).cached).toBeGreaterThanOrEqual(60 * MiB);
  });
});
