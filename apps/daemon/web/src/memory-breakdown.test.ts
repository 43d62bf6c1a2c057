import type { Snapshot } from '@gov/meminfo/model';
import { describe, expect, it } from 'vitest';
import { memoryBreakdown, segmentShares } from './memory-breakdown.js';

const GIB = 1024 ** 3;
const linux = { total: 16 * GIB, used: 6 * GIB, free: 4 * GIB, shared: 0, buffCache: 7 * GIB, available: 10 * GIB, swapTotal: 0, swapUsed: 0, swapFree: 0, buffers: 0, cached: 6 * GIB, sReclaimable: GIB, shmem: 0, reclaimable: 7 * GIB, actualUsage: 5 * GIB, activeFile: null, inactiveFile: null };

describe('memoryBreakdown', () => {
  it('on plain Linux splits RAM into apps, page cache and free', () => {
    const breakdown = memoryBreakdown({ linux, host: { total: 16 * GIB, available: 10 * GIB, vmmem: null } });
    expect(breakdown).toEqual({
      scope: 'linux',
      totalBytes: 16 * GIB,
      availableBytes: 10 * GIB,
      segments: [
        { key: 'apps', label: 'Linux apps', bytes: 5 * GIB },
        { key: 'cache', label: 'Page cache', bytes: 7 * GIB },
        { key: 'free', label: 'Free', bytes: 4 * GIB },
      ],
      vmmemBytes: null,
      wasteBytes: null,
    });
    expect(segmentShares(breakdown!)).toEqual([31.25, 43.75, 25]);
  });

  it('under WSL2 lays the VM inside the Windows host: apps, cache, VM free (the waste), rest of Windows, available', () => {
    const breakdown = memoryBreakdown({ linux, host: { total: 32 * GIB, available: 12 * GIB, vmmem: 14 * GIB } });
    expect(breakdown).toEqual({
      scope: 'host',
      totalBytes: 32 * GIB,
      availableBytes: 12 * GIB,
      segments: [
        { key: 'apps', label: 'Linux apps', bytes: 5 * GIB },
        { key: 'cache', label: 'Page cache', bytes: 7 * GIB },
        { key: 'vm-free', label: 'VM free, still held', bytes: 2 * GIB },
        { key: 'host-other', label: 'Rest of Windows', bytes: 6 * GIB },
        { key: 'free', label: 'Windows available', bytes: 12 * GIB },
      ],
      vmmemBytes: 14 * GIB,
      wasteBytes: 9 * GIB,
    });
  });

  it('caps the cache at what the working set holds, and leaves out empty parts', () => {
    const breakdown = memoryBreakdown({ linux, host: { total: 32 * GIB, available: 26 * GIB, vmmem: 6 * GIB } });
    expect(breakdown?.segments.map((segment) => [segment.key, segment.bytes / GIB])).toEqual([
      ['apps', 5],
      ['cache', 1],
      ['free', 26],
    ]);
  });

  it('has nothing to show without Linux memory, and shows Linux alone when the host is not known', () => {
    expect(memoryBreakdown({ linux: null, host: null })).toBeNull();
    expect(memoryBreakdown({ linux, host: null } as Pick<Snapshot, 'linux' | 'host'>)?.scope).toBe('linux');
  });
});
