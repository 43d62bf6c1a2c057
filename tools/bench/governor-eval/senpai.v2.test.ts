import { afterAll, describe, expect, it } from 'vitest';
import { assertCgroupV2Kernel, createCgroup, MiB, uniqueName, until, type TestCgroup } from '../../test-support/cgroup-lab.js';
import type { ReclaimEvent } from './contender.js';
import { createSenpai, SENPAI_DEFAULTS, v2SenpaiCgroup } from './senpai.js';

// senpai in the form it was written for, on a real cgroup-v2 kernel (the lab guest,
// `npm run test:v2`): memory.high of the group, the group's own memory.pressure, memory.current.
assertCgroupV2Kernel();

const cgroups: TestCgroup[] = [];
afterAll(async () => {
  for (const cgroup of cgroups) await cgroup.remove();
});

describe('senpai on cgroup v2', () => {
  it('reads the group it drives, not the machine: memory.high, memory.pressure, memory.current of that group', () => {
    const target = v2SenpaiCgroup('/sys/fs/cgroup/guest');
    expect([target.limitPath, target.pressurePath, target.unlimited]).toEqual(['/sys/fs/cgroup/guest/memory.high', '/sys/fs/cgroup/guest/memory.pressure', 'max']);
  });

  it('tightens memory.high of a group holding page cache while its stall stays under target, and lifts it to max when it stops', async () => {
    const cgroup = await createCgroup(uniqueName('gov-senpai'));
    cgroups.push(cgroup);
    await cgroup.fillPageCache(200 * MiB);
    const before = await cgroup.current();
    expect(before).toBeGreaterThanOrEqual(200 * MiB);
    expect((await cgroup.read('memory.high')).trim()).toBe('max');

    // senpai's algorithm with two knobs turned so that a test sees it within seconds: a probe
    // every tick (interval 1) of at most 20% (max_probe 0.2) instead of 1% every 6 s.
    const events: ReclaimEvent[] = [];
    const senpai = createSenpai({ cgroup: v2SenpaiCgroup(cgroup.dir), config: { ...SENPAI_DEFAULTS, interval: 1, maxProbe: 0.2 }, onReclaim: (event) => events.push(event) });
    const limit = async () => Number((await cgroup.read('memory.high')).trim());
    senpai.start();
    // Two probes at least (the emulated guest's clock runs its 1 s ticks as it can).
    const high = await until('two probes of memory.high', async () => {
      const value = await limit();
      return value <= Math.ceil(before * 0.8 ** 2) ? value : undefined;
    });
    // The kernel takes a new memory.high before it has reclaimed down to it: wait for that reclaim.
    const held = await until('the group under memory.high', async () => {
      const current = await cgroup.current();
      return current <= high ? current : undefined;
    });
    const tally = await senpai.stop();

    // Nothing runs in the group, so it never stalls: every probe tightens by the full 20%.
    expect(tally.raises).toBe(0);
    expect(tally.shrinks).toBeGreaterThanOrEqual(2);
    expect(high % 4096).toBe(0);
    expect(held).toBeLessThanOrEqual(high);
    expect(tally.actions).toBe(events.length);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((event) => /^memory\.high \d+ MiB$/.test(event.what))).toBe(true);
    expect(tally.freedBytes).toBeGreaterThanOrEqual(before - held - MiB);
    expect((await cgroup.read('memory.high')).trim()).toBe('max');
  });
});
