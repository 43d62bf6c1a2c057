import { describe, expect, it } from 'vitest';
import { parseCpuTimes, parseLinuxMemory, parseVmstat } from '@gov/meminfo';
import { guestLinuxMemory, renderGuestMeminfo, renderGuestStat, renderGuestVmstat } from './guest.js';
import { compare, formatDisturbed, formatHostRows, formatRows, formatSpread, formatVerdicts, judgeHost, judgeIdle, spread, type RunResult } from './report.js';

const GIB = 1024 ** 3;

function result(contender: string, round: number, guestFreeGiB: number, readSeconds: number, diskReadGiB: number, stallSecs = 0): RunResult {
  return {
    contender,
    round,
    meanGuestFreeBytes: guestFreeGiB * GIB,
    meanMachineFreeBytes: 20 * GIB,
    idleCacheGiBMinutes: 6 - guestFreeGiB,
    readMs: { hot: readSeconds * 500, other: readSeconds * 500 },
    diskReadBytes: diskReadGiB * GIB,
    diskReadBytesByPhase: { hot: diskReadGiB * GIB },
    stallUs: stallSecs * 1e6,
    oomKills: 0,
    actions: 1,
    vetoes: 0,
    shrinks: 0,
    raises: 0,
    freedBytes: GIB,
    disturbance: { externalDrops: 0, otherCpuPercent: 3, maxLoad1: 1, reasons: [] },
    host: null,
  };
}

describe('governor-eval report', () => {
  it('spreads every figure over the rounds and pairs differences to none by round', () => {
    const runs = [result('none', 1, 4, 10, 2), result('none', 2, 4, 12, 2.5), result('none', 3, 4, 11, 2), result('dynamic', 1, 5, 15, 3), result('dynamic', 2, 5.5, 12, 3), result('dynamic', 3, 5, 22, 2.5)];
    const [none, dynamic] = compare(runs);
    expect(none?.extraDiskRead).toBeNull();
    expect(dynamic).toMatchObject({ runs: 3, disturbed: 0, guestFree: { min: 5 * GIB, median: 5 * GIB, max: 5.5 * GIB }, readSecs: { min: 12, median: 15, max: 22 }, extraDiskRead: { min: 0.5 * GIB, median: 0.5 * GIB, max: GIB } });
    expect(dynamic?.slowdown).toEqual({ min: 0, median: 0.5, max: 1 });
  });

  it('formats a spread as median [min…max], one value when all agree', () => {
    expect(formatSpread(spread([3, 1, 2]), String)).toBe('2 [1…3]');
    expect(formatSpread(spread([2, 2]), String)).toBe('2');
    expect(formatSpread(null, String)).toBe('—');
  });

  it('judges the idle target on re-reads first, stall second, and against dynamic', () => {
    const base = [result('none', 1, 4, 10, 2, 1), result('wsl-gradual', 1, 4.5, 12, 3, 2), result('dynamic', 1, 5, 14, 4, 3)];
    const met = judgeIdle(compare([...base, result('learned', 1, 5, 12, 3, 2)]), ['wsl-gradual', 'dynamic'], 1);
    expect(met.map((verdict) => [verdict.target, verdict.met])).toEqual([
      ['gives back ≥ the best other, ≤ half its re-reads', true],
      ['the same, with stall time (PSI) for re-reads', true],
      ['never more re-reads than dynamic', true],
    ]);
    expect(met[0]?.explanation).toBe('best other by memory given back: dynamic: guest free 5.00 GiB, re-read +2.00 GiB, stall +2.0 s vs none\n  learned: guest free 5.00 GiB, re-read +1.00 GiB, stall +1.0 s vs none');
    const notMet = judgeIdle(compare([...base, result('learned', 1, 5.1, 10, 3.5, 1)]), ['wsl-gradual', 'dynamic'], 1);
    expect(notMet.map((verdict) => verdict.met)).toEqual([false, true, true]);
    expect(judgeIdle(compare([result('none', 1, 4, 10, 2)]), ['dynamic'], 1)[0]?.met).toBeNull();
    // Wall time is judged only over five rounds or more.
    expect(judgeIdle(compare([...base, result('learned', 1, 5, 12, 3, 2)]), ['wsl-gradual', 'dynamic'], 5)).toHaveLength(4);
  });

  it('judges the host target: within one tick, above emergency, no slower than senpai', () => {
    const host = (reactionSecs: number | null, minAvailableGiB: number) => ({ crossedAtSecs: 70, reactionSecs, minAvailableBytes: minAvailableGiB * GIB, meanAvailableBytes: 3 * GIB, belowEmergencySecs: 0, totalBytes: 16 * GIB });
    const rows = compare([
      { ...result('none', 1, 4, 10, 2, 1), host: host(null, 0.2) },
      { ...result('senpai', 1, 4, 10, 3, 2), host: host(40, 0.5) },
      { ...result('govd', 1, 4, 10, 2.5, 1), host: host(12, 1.5) },
      { ...result('dynamic', 1, 4, 10, 3.5, 1), host: host(45, 0.5) },
    ]);
    const verdicts = judgeHost(rows, ['govd', 'dynamic'], { tickSecs: 30, emergencyBytes: 0.8 * GIB, feasible: true });
    expect(verdicts.map((verdict) => [verdict.target, verdict.met])).toEqual([
      ['host: govd', true],
      ['host: dynamic', false],
    ]);
    expect(verdicts[1]?.explanation).toBe('reacts within one tick (30 s): no (45.0 s, 1/1 runs)\n  host available ≥ emergency (0.80 GiB): no (min 0.50 GiB)\n  slowdown ≤ senpai\'s: no');
    expect(formatHostRows(rows)).toMatchInlineSnapshot(`
      "contender  reacted  first reclaim after crossing s  min host available GiB  mean host available GiB  under emergency s
      ---------  -------  ------------------------------  ----------------------  -----------------------  -----------------
      none           0/1                               —                    0.20                     3.00                0.0
      senpai         1/1                            40.0                    0.50                     3.00                0.0
      govd           1/1                            12.0                    1.50                     3.00                0.0
      dynamic        1/1                            45.0                    0.50                     3.00                0.0
      "
    `);
  });

  it('prints the table, names every disturbed run, and the verdicts', () => {
    const disturbed = { ...result('dynamic', 2, 5, 15, 3), disturbance: { externalDrops: 1, otherCpuPercent: 40, maxLoad1: 6, reasons: ['1 drop_caches by another program'] } };
    const runs = [result('none', 1, 4, 10, 2), result('dynamic', 1, 5, 15, 3), result('none', 2, 4, 10, 2), disturbed];
    expect(formatRows(compare(runs))).toMatchInlineSnapshot(`
      "contender  runs  disturbed  guest free GiB  idle cache GiB·min  re-read vs none GiB  stall vs none s  disk reads GiB  read time s  slowdown vs none  actions  freed GiB  OOM
      ---------  ----  ---------  --------------  ------------------  -------------------  ---------------  --------------  -----------  ----------------  -------  ---------  ---
      none          2          0            4.00                2.00                    —                —            2.00         10.0                 —        1       1.00    0
      dynamic       2          1            5.00                1.00                +1.00             +0.0            3.00         15.0            +50.0%        1       1.00    0
      "
    `);
    expect(formatDisturbed(runs)).toBe('disturbed runs (shown, counted in the table; rerun on a quiet machine):\n  round 2 dynamic: 1 drop_caches by another program\n');
    expect(formatVerdicts([{ target: 'x', met: null, explanation: 'why' }])).toBe('target (x): not judged\n  why');
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

  it('renders /proc files that gov parses back to the same guest', () => {
    const memory = { cache: 2 * GIB, rss: GIB / 2, shmem: GIB / 4, activeFile: GIB, inactiveFile: GIB / 2, refaultFile: 10, refaultAnon: 2, pgmajfault: 3, oomKills: 1 };
    expect(parseLinuxMemory(renderGuestMeminfo(memory, 6 * GIB))).toEqual(guestLinuxMemory(memory, 6 * GIB));
    expect(parseVmstat(renderGuestVmstat(memory))).toMatchObject({ workingsetRefaultFile: 10, workingsetRefaultAnon: 2, pgmajfault: 3, oomKill: 1 });
    expect(parseCpuTimes(renderGuestStat(150, 1000))).toEqual({ busy: 150, total: 1000 });
  });
});
