import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIdleSampler, type CpuSample } from './idle-sampler.js';

const NS_PER_MS = 1e6;

function sample(atMs: number, cpuUsageNs: number, extra: Partial<CpuSample> = {}): CpuSample {
  return { id: 'a', atMs, cpuUsageNs, state: 'running', startedAt: '2026-01-01T00:00:00Z', ...extra };
}

describe('createIdleSampler', () => {
  it('reports CPU percent of one core and idleness over the whole window', () => {
    const sampler = createIdleSampler({ idleCpuPercent: 1 });
    expect(sampler.record(sample(0, 0))).toEqual({ cpuPercent: null, idleForMs: 0, samples: 1 });
    // 5 ms of CPU in 1000 ms: 0.5 %.
    expect(sampler.record(sample(1000, 5 * NS_PER_MS))).toEqual({ cpuPercent: 0.5, idleForMs: 1000, samples: 2 });
    expect(sampler.record(sample(2000, 10 * NS_PER_MS))).toEqual({ cpuPercent: 0.5, idleForMs: 2000, samples: 3 });
    expect(sampler.isIdle('a', 2000)).toBe(true);
    expect(sampler.isIdle('a', 2001)).toBe(false);
  });

  it('restarts the window at a busy interval', () => {
    const sampler = createIdleSampler();
    sampler.record(sample(0, 0));
    sampler.record(sample(1000, 0));
    // 200 ms of CPU in one second: 20 %.
    expect(sampler.record(sample(2000, 200 * NS_PER_MS))).toEqual({ cpuPercent: 20, idleForMs: 0, samples: 3 });
    expect(sampler.record(sample(3000, 200 * NS_PER_MS))).toEqual({ cpuPercent: 0, idleForMs: 1000, samples: 4 });
    expect(sampler.isIdle('a', 1500)).toBe(false);
  });

  it.each([
    ['a restart', { startedAt: '2026-01-01T00:05:00Z' }],
    ['a state change', { state: 'paused' }],
    ['a CPU counter that went backwards', { cpuUsageNs: 1 }],
  ])('starts over after %s', (_, change) => {
    const sampler = createIdleSampler();
    sampler.record(sample(0, 50 * NS_PER_MS));
    sampler.record(sample(10_000, 50 * NS_PER_MS));
    expect(sampler.isIdle('a', 10_000)).toBe(true);
    expect(sampler.record(sample(11_000, 50 * NS_PER_MS, change))).toEqual({ cpuPercent: null, idleForMs: 0, samples: 1 });
    expect(sampler.isIdle('a', 1)).toBe(false);
  });

  it('adds nothing for a sample no later than the previous one', () => {
    const sampler = createIdleSampler();
    sampler.record(sample(0, 0));
    sampler.record(sample(5000, 0));
    expect(sampler.record(sample(5000, 900 * NS_PER_MS))).toEqual({ cpuPercent: 0, idleForMs: 5000, samples: 2 });
    expect(sampler.record(sample(4000, 900 * NS_PER_MS))).toEqual({ cpuPercent: 0, idleForMs: 5000, samples: 2 });
  });

  it('needs two samples before anything is idle, even for a zero window', () => {
    const sampler = createIdleSampler();
    sampler.record(sample(0, 0));
    expect(sampler.isIdle('a', 0)).toBe(false);
    expect(sampler.isIdle('unknown', 0)).toBe(false);
    expect(sampler.status('unknown')).toBeNull();
  });

  it('keeps at most maxContainers, forgetting the one sampled longest ago, and forgets gone ones', () => {
    const sampler = createIdleSampler({ maxContainers: 2 });
    sampler.record(sample(0, 0, { id: 'a' }));
    sampler.record(sample(0, 0, { id: 'b' }));
    sampler.record(sample(1, 0, { id: 'a' }));
    sampler.record(sample(1, 0, { id: 'c' }));
    expect([sampler.size, sampler.status('b'), sampler.status('a')?.samples]).toEqual([2, null, 2]);
    sampler.retain(['c']);
    expect([sampler.size, sampler.status('a')]).toEqual([1, null]);
  });

  it('refuses thresholds and sizes that cannot work', () => {
    expect(() => createIdleSampler({ idleCpuPercent: 0 })).toThrow('idleCpuPercent must be above 0, got 0');
    expect(() => createIdleSampler({ maxContainers: 0 })).toThrow('maxContainers must be a whole number of at least 1, got 0');
  });

  it('is idle for a window exactly when every interval inside it stayed below the threshold (property)', () => {
    const intervals = fc.array(fc.record({ ms: fc.integer({ min: 1, max: 60_000 }), cpuMs: fc.integer({ min: 0, max: 2_000 }) }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(intervals, fc.integer({ min: 0, max: 600_000 }), (steps, windowMs) => {
        const sampler = createIdleSampler({ idleCpuPercent: 1 });
        let atMs = 0;
        let cpuNs = 0;
        sampler.record(sample(atMs, cpuNs));
        for (const step of steps) {
          atMs += step.ms;
          cpuNs += step.cpuMs * NS_PER_MS;
          sampler.record(sample(atMs, cpuNs));
        }
        // The model: walk back from the last sample while intervals stay under 1 %.
        let quietMs = 0;
        for (const step of [...steps].reverse()) {
          if ((step.cpuMs / step.ms) * 100 >= 1) break;
          quietMs += step.ms;
        }
        expect(sampler.status('a')?.idleForMs).toBe(quietMs);
        expect(sampler.isIdle('a', windowMs)).toBe(quietMs >= windowMs);
      }),
    );
  });
});
