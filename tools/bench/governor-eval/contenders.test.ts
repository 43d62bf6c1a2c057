import { describe, expect, it } from 'vitest';
import type { WorkloadCgroup } from './cgroup.js';
import { createGuestReclaimPort } from './contenders.js';

describe('createGuestReclaimPort', () => {
  it('hands freed pages to the simulated host only after a compaction: `full`, or a reclaim asked to compact', async () => {
    let compactions = 0;
    const cgroup = { reclaimBytes: async (bytes: number) => bytes, forceEmpty: async () => 64 * 2 ** 20 } as unknown as WorkloadCgroup;
    const port = createGuestReclaimPort(cgroup, () => (compactions += 1));
    expect((await port.reclaim({ method: 'cgroup_reclaim', targetBytes: 2 ** 20 })).freedBytes).toBe(2 ** 20);
    expect(compactions).toBe(0);
    await port.reclaim({ method: 'cgroup_reclaim', targetBytes: 2 ** 20, compact: true });
    expect(compactions).toBe(1);
    await port.reclaim({ method: 'full' });
    expect(compactions).toBe(2);
    await port.reclaim({ method: 'drop_caches', compact: true, dryRun: true });
    expect(compactions).toBe(2);
  });
});
