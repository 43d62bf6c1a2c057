import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseMaxOpenFiles, registerProcessMetrics } from './process-metrics.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            1024                 524288               files     
Max locked memory         8388608              8388608              bytes     
`;

async function scrape(registry: Registry) {
  const metrics = await registry.getMetricsAsJSON();
  return new Map(metrics.map((metric) => [metric.name, metric]));
}

function valueOf(metric: { values: { value: number }[] } | undefined): number {
  return metric?.values[0]?.value ?? Number.NaN;
}

describe('parseMaxOpenFiles', () => {
  it('reads the soft limit of "Max open files"', () => {
    expect(parseMaxOpenFiles(LIMITS)).toBe(1024);
  });
  it('is null when the limit is unlimited or the line is missing', () => {
    expect(parseMaxOpenFiles(LIMITS.replace('1024 ', 'unlimited'))).toBeNull();
    expect(parseMaxOpenFiles('Limit Soft Limit\n')).toBeNull();
  });
});

describe('registerProcessMetrics', () => {
  it('registers the stock Node.js and process names, without a prefix or an event-loop-delay monitor', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    const metrics = await scrape(registry);
    expect([...metrics.keys()].sort()).toEqual([
      'nodejs_active_resources',
      'nodejs_eventloop_lag_seconds',
      'nodejs_external_memory_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_space_size_available_bytes',
      'nodejs_heap_space_size_total_bytes',
      'nodejs_heap_space_size_used_bytes',
      'nodejs_version_info',
      'process_cpu_seconds_total',
      'process_cpu_system_seconds_total',
      'process_cpu_user_seconds_total',
      'process_max_fds',
      'process_open_fds',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
    ]);
    expect(metrics.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(metrics.get('nodejs_version_info')?.values).toEqual([{ value: 1, labels: { version: process.version, major: process.versions.node.split('.')[0], minor: process.versions.node.split('.')[1], patch: process.versions.node.split('.')[2] } }]);
  });

  it('reads the values when scraped: CPU since the process started, memory now', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    const before = process.cpuUsage();
    const metrics = await scrape(registry);
    const after = process.cpuUsage();
    const cpu = valueOf(metrics.get('process_cpu_seconds_total'));
    expect(cpu).toBeGreaterThanOrEqual((before.user + before.system) / 1e6);
    expect(cpu).toBeLessThanOrEqual((after.user + after.system) / 1e6);
    expect(valueOf(metrics.get('process_cpu_user_seconds_total')) + valueOf(metrics.get('process_cpu_system_seconds_total'))).toBeCloseTo(cpu, 6);
    expect(valueOf(metrics.get('process_resident_memory_bytes'))).toBeGreaterThan(valueOf(metrics.get('nodejs_heap_size_used_bytes')));
    expect(Math.abs(valueOf(metrics.get('process_start_time_seconds')) - (Date.now() / 1000 - process.uptime()))).toBeLessThan(2);
    // A second scrape never goes backwards: the counter is the process total, not a delta.
    const again = valueOf((await scrape(registry)).get('process_cpu_seconds_total'));
    expect(again).toBeGreaterThanOrEqual(cpu);
  });

  it('counts the open descriptors and the limit from /proc/self', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry, {
      fs: {
        readdir: async (path) => (path === '/proc/self/fd' ? ['0', '1', '2', '3', '4'] : []),
        readFile: async (path) => (path === '/proc/self/limits' ? LIMITS : ''),
      },
    });
    const metrics = await scrape(registry);
    expect(valueOf(metrics.get('process_open_fds'))).toBe(4);
    expect(valueOf(metrics.get('process_max_fds'))).toBe(1024);
  });
});
