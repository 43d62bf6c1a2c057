import { describe, expect, it } from 'vitest';
import { guestLinuxMemory } from './guest.js';
import { aggregate, compare, formatReport, judge, type RunResult } from './report.js';

const GIB = 1024 ** 3;

function result(contender: string, meanGuestFreeGiB: number, readSeconds: number, diskReadGiB: number, actions = 0): RunResult {
  return {
    contender,
    meanGuestFreeBytes: meanGuestFreeGiB * GIB,
    meanMachineFreeBytes: 20 * GIB,
    idleCacheGiBMinutes: 6 - meanGuestFreeGiB,
    readMs: { hot: readSeconds * 500, other: readSeconds * 250, return: readSeconds * 250 },
    diskReadBytes: diskReadGiB * GIB,
    actions,
    vetoes: 0,
    shrinks: 0,
    raises: 0,
    freedBytes: actions * GIB,
    externalDrops: 0,
  };
}

describe('governor-eval report', () => {
  it('measures slowdown and extra disk reads against none from the same invocation', () => {
    const rows = compare([result('none', 4, 10, 2), result('dynamic', 5, 15, 3, 3)]);
    expect(rows.map((row) => [row.contender, row.runs, row.totalReadMs, row.slowdown, row.extraDiskReadBytes])).toEqual([
      ['none', 1, 10_000, null, null],
      ['dynamic', 1, 15_000, 0.5, GIB],
    ]);
  });

  it('aggregates rounds: median read time per phase, mean of the rest, external drops summed', () => {
    const runs = [result('none', 4, 10, 2), { ...result('none', 5, 30, 3), externalDrops: 2 }, result('none', 6, 12, 4)];
    expect(aggregate(runs)).toEqual([{ ...result('none', 5, 12, 3), runs: 3, externalDrops: 2 }]);
  });

  it('meets the target only with as much memory given back and at most half the slowdown of the best static contender', () => {
    const base = [result('none', 4, 10, 2), result('wsl-dropcache', 4.5, 12, 3), result('dynamic', 5, 14, 4)];
    expect(judge(compare([...base, result('learned', 5, 12, 3)]), ['wsl-dropcache', 'dynamic'])).toEqual({
      best: 'dynamic',
      learned: 'learned',
      met: true,
      metByReReads: true,
      explanation:
        'best static contender by memory given back: dynamic (mean guest free 5.00 GiB, slowdown +40.0%, re-read 2.00 GiB more than none)\n  learned: mean guest free 5.00 GiB (at least as much), slowdown +20.0% (within half), re-read 1.00 GiB more than none (within half)',
    });
    expect(judge(compare([...base, result('learned', 5.1, 12.1, 3)]), ['wsl-dropcache', 'dynamic'])).toMatchObject({ met: false, metByReReads: true });
    expect(judge(compare([...base, result('learned', 5.1, 12, 3.5)]), ['wsl-dropcache', 'dynamic'])).toMatchObject({ met: true, metByReReads: false });
    expect(judge(compare([...base, result('learned', 4.9, 10, 2)]), ['wsl-dropcache', 'dynamic'])).toMatchObject({ met: false, metByReReads: false });
    expect(judge(compare([result('none', 4, 10, 2), result('learned', 5, 10, 2)]), ['dynamic']).met).toBeNull();
  });

  it('prints the table and both verdicts', () => {
    const rows = compare([result('none', 4, 10, 2), result('dynamic', 5, 15, 3, 3), result('learned', 5, 12, 2.25, 2)]);
    expect(formatReport(rows, judge(rows, ['dynamic']))).toMatchInlineSnapshot(`
      "contender  runs  mean guest free  idle cache GiB·min  mean MemFree (machine)  read time  slowdown vs none  disk reads  re-read vs none  act/veto/shrink/raise     freed  external drops
      ---------  ----  ---------------  ------------------  ----------------------  ---------  ----------------  ----------  ---------------  ---------------------  --------  --------------
      none          1         4.00 GiB                2.00               20.00 GiB    10.00 s                 —    2.00 GiB                —                0/0/0/0  0.00 GiB               0
      dynamic       1         5.00 GiB                1.00               20.00 GiB    15.00 s            +50.0%    3.00 GiB        +1.00 GiB                3/0/0/0  3.00 GiB               0
      learned       1         5.00 GiB                1.00               20.00 GiB    12.00 s            +20.0%    2.25 GiB        +0.25 GiB                2/0/0/0  2.00 GiB               0

      target (slowdown = read wall time): MET
      target (slowdown = bytes re-read from disk): MET
        best static contender by memory given back: dynamic (mean guest free 5.00 GiB, slowdown +50.0%, re-read 1.00 GiB more than none)
        learned: mean guest free 5.00 GiB (at least as much), slowdown +20.0% (within half), re-read 0.25 GiB more than none (within half)
      "
    `);
  });
});

describe('the guest view of the workload cgroup', () => {
  it('maps charged cache and RSS to meminfo figures of a guest of the given size', () => {
    const memory = { cache: 2 * GIB, rss: GIB / 2, shmem: GIB / 4, activeFile: GIB, inactiveFile: GIB / 2, refaultFile: 10, refaultAnon: 0, pgmajfault: 3, oomKills: 0 };
    expect(guestLinuxMemory(memory, 6 * GIB)).toEqual({
      total: 6 * GIB,
      used: 0.75 * GIB,
      free: 3.5 * GIB,
      shared: GIB / 4,
      buffCache: 2 * GIB,
      available: 5.25 * GIB,
      swapTotal: 0,
      swapUsed: 0,
      swapFree: 0,
      buffers: 0,
      cached: 2 * GIB,
      sReclaimable: 0,
      shmem: GIB / 4,
      reclaimable: 1.75 * GIB,
      actualUsage: 0.75 * GIB,
      activeFile: GIB,
      inactiveFile: GIB / 2,
    });
  });
});
