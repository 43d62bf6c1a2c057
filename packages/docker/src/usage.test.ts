import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCpuUsageNs, toContainerMemory, usageFromStatsApi } from './usage.js';

describe('toContainerMemory', () => {
  it('reads the hierarchical counters on v1 and subtracts inactive file pages like docker stats', () => {
    const stat = { cache: 1, rss: 2, total_cache: 67_108_864, total_rss: 53_248, total_shmem: 4096, total_inactive_file: 60_000_000 };
    expect(toContainerMemory(1, 68_000_000, null, stat)).toEqual({
      usage: 68_000_000,
      workingSet: 8_000_000,
      cache: 67_108_864,
      anon: 53_248,
      shmem: 4096,
      limit: null,
    });
  });

  it('reads file/anon/shmem on v2', () => {
    expect(toContainerMemory(2, 10_000, 1_000_000, { file: 6000, anon: 3000, shmem: 1000, inactive_file: 2000 })).toEqual({
      usage: 10_000,
      workingSet: 8000,
      cache: 6000,
      anon: 3000,
      shmem: 1000,
      limit: 1_000_000,
    });
  });

  it('keeps the usage as working set when inactive_file is not below it', () => {
    expect(toContainerMemory(2, 100, null, { inactive_file: 500 }).workingSet).toBe(100);
  });
});

describe('parseCpuUsageNs', () => {
  it('reads cpuacct.usage (v1, ns) and cpu.stat usage_usec (v2)', () => {
    expect(parseCpuUsageNs('32846198\n', 1)).toBe(32_846_198);
    expect(parseCpuUsageNs('usage_usec 5012\nuser_usec 3000\nsystem_usec 2012\nnr_periods 0\n', 2)).toBe(5_012_000);
  });

  it('refuses text that is not the file', () => {
    expect(() => parseCpuUsageNs('max 100000', 1)).toThrow('cpuacct.usage: expected nanoseconds, got "max 100000"');
    expect(() => parseCpuUsageNs('user_usec 1\n', 2)).toThrow('cpu.stat: no usage_usec line');
  });

  it('reads any counter back exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('', '\n', ' \n'), (ns, tail) => {
        expect(parseCpuUsageNs(`${ns}${tail}`, 1)).toBe(ns);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), (usec, user) => {
        expect(parseCpuUsageNs(`user_usec ${user}\nusage_usec ${usec}\n`, 2)).toBe(usec * 1000);
      }),
    );
  });

  it('never returns anything but a counter or a DockerError (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(1 as const, 2 as const), (text, version) => {
        try {
          const ns = parseCpuUsageNs(text, version);
          expect(Number.isInteger(ns) && ns >= 0).toBe(true);
        } catch (error) {
          expect((error as { code?: string }).code ?? (error as { name?: string }).name).toMatch(/GOV_DOCKER_API|GOV_MEMINFO_PARSE/);
        }
      }),
    );
  });
});

describe('usageFromStatsApi', () => {
  // Trimmed from a real one-shot answer of Docker 20.10 on cgroup v1.
  const v1Stats = {
    read: '2026-11-22T01:57:27.140174576Z',
    cpu_stats: { cpu_usage: { total_usage: 32_846_198, usage_in_kernelmode: 0, usage_in_usermode: 20_000_000 }, online_cpus: 2 },
    memory_stats: {
      usage: 327_680,
      max_usage: 3_813_376,
      limit: 25_276_846_080,
      stats: { active_anon: 4096, cache: 0, inactive_file: 0, rss: 53_248, total_cache: 0, total_inactive_file: 0, total_rss: 53_248, total_shmem: 0 },
    },
  };

  it('takes usage, counters and CPU time, and the configured limit rather than the host total', () => {
    expect(usageFromStatsApi(v1Stats, null)).toEqual({
      memory: { usage: 327_680, workingSet: 327_680, cache: 0, anon: 53_248, shmem: 0, limit: null },
      cpuUsageNs: 32_846_198,
      source: 'api',
    });
  });

  it('reads v2 counters', () => {
    const v2 = { cpu_stats: { cpu_usage: { total_usage: 9 } }, memory_stats: { usage: 1000, stats: { file: 400, anon: 500, shmem: 0, inactive_file: 100 } } };
    expect(usageFromStatsApi(v2, 2048)).toEqual({ memory: { usage: 1000, workingSet: 900, cache: 400, anon: 500, shmem: 0, limit: 2048 }, cpuUsageNs: 9, source: 'api' });
  });

  it('refuses an answer without memory or CPU numbers (a stopped container)', () => {
    expect(() => usageFromStatsApi({ memory_stats: {}, cpu_stats: { cpu_usage: {} } }, null)).toThrow(
      'the stats API answered without memory_stats.usage or cpu_stats.cpu_usage.total_usage',
    );
  });
});
