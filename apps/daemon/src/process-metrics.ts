import * as nodeFs from 'node:fs/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the process metrics read: `/proc/self` on Linux (absent elsewhere: those series are left out). */
export interface ProcessMetricsFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  readdir(path: string): Promise<string[]>;
}

/** The soft `Max open files` limit of `/proc/self/limits`; `null` when unlimited or absent. */
export function parseMaxOpenFiles(limits: string): number | null {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  return match && match[1] !== 'unlimited' ? Number(match[1]) : null;
}

/** Resolves after the event loop has run everything queued before it: the lag a scrape sees. */
function measureEventLoopLagSeconds(): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => setImmediate(() => resolve(Number(process.hrtime.bigint() - start) / 1e9)));
}

/**
 * Registers govd's own process metrics under the names stock Node.js and process dashboards
 * match (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
 * `nodejs_heap_size_used_bytes`, …). Every value is read when Prometheus scrapes; nothing runs
 * between scrapes (prom-client's `collectDefaultMetrics` keeps an event-loop-delay monitor
 * waking every 10 ms, which was most of an idle govd's CPU).
 */
export function registerProcessMetrics(registry: Registry, options: { fs?: ProcessMetricsFs } = {}): void {
  const fs = options.fs ?? nodeFs;
  const registers = [registry];
  const linux = process.platform === 'linux';

  // prom-client collects metrics in the order they were registered, so the one whose collect()
  // reads a value for several metrics is registered first.
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent by govd in seconds.',
    registers,
    collect() {
      // cpuUsage() is cumulative since the process started: a counter set from it never goes down.
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
      cpuUser.reset();
      cpuUser.inc(user / 1e6);
      cpuSystem.reset();
      cpuSystem.inc(system / 1e6);
    },
  });
  const cpuUser = new Counter({ name: 'process_cpu_user_seconds_total', help: 'User CPU time spent by govd in seconds.', registers });
  const cpuSystem = new Counter({ name: 'process_cpu_system_seconds_total', help: 'System CPU time spent by govd in seconds.', registers });
  const startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime());
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of govd since the Unix epoch in seconds.',
    registers,
    collect() {
      this.set(startTimeSeconds);
    },
  });

  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size of govd in bytes.',
    registers,
    collect() {
      const usage = process.memoryUsage();
      this.set(usage.rss);
      heapTotal.set(usage.heapTotal);
      heapUsed.set(usage.heapUsed);
      external.set(usage.external);
    },
  });
  const heapTotal = new Gauge({ name: 'nodejs_heap_size_total_bytes', help: 'V8 heap size of govd in bytes.', registers });
  const heapUsed = new Gauge({ name: 'nodejs_heap_size_used_bytes', help: 'V8 heap used by govd in bytes.', registers });
  const external = new Gauge({ name: 'nodejs_external_memory_bytes', help: 'Memory of C++ objects bound to JavaScript objects in govd, in bytes.', registers });
  const spaceLabels = ['space'] as const;
  new Gauge({
    name: 'nodejs_heap_space_size_available_bytes',
    help: 'V8 heap space still available to govd in bytes, by space.',
    labelNames: spaceLabels,
    registers,
    collect() {
      for (const space of getHeapSpaceStatistics()) {
        const labels = { space: space.space_name.replace(/_space$/, '') };
        this.set(labels, space.space_available_size);
        spaceTotal.set(labels, space.space_size);
        spaceUsed.set(labels, space.space_used_size);
      }
    },
  });
  const spaceTotal = new Gauge({ name: 'nodejs_heap_space_size_total_bytes', help: 'V8 heap space size of govd in bytes, by space.', labelNames: spaceLabels, registers });
  const spaceUsed = new Gauge({ name: 'nodejs_heap_space_size_used_bytes', help: 'V8 heap space used by govd in bytes, by space.', labelNames: spaceLabels, registers });
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'How long a callback queued at scrape time waited for the event loop, in seconds.',
    registers,
    async collect() {
      this.set(await measureEventLoopLagSeconds());
    },
  });
  new Gauge({
    name: 'nodejs_active_resources',
    help: 'Resources keeping the event loop of govd alive, by type (sum() for the total).',
    labelNames: ['type'],
    registers,
    collect() {
      this.reset();
      for (const type of process.getActiveResourcesInfo()) this.inc({ type });
    },
  });
  const [major, minor, patch] = process.versions.node.split('.');
  new Gauge({
    name: 'nodejs_version_info',
    help: 'Node.js version running govd.',
    labelNames: ['version', 'major', 'minor', 'patch'],
    registers,
    collect() {
      this.set({ version: process.version, major: major ?? '', minor: minor ?? '', patch: patch ?? '' }, 1);
    },
  });

  if (!linux) return;
  new Gauge({
    name: 'process_open_fds',
    help: 'File descriptors govd has open.',
    registers,
    async collect() {
      // readdir holds one descriptor of its own while it reads.
      const fds = await fs.readdir('/proc/self/fd').catch(() => null);
      if (fds) this.set(fds.length - 1);
    },
  });
  new Gauge({
    name: 'process_max_fds',
    help: 'Most file descriptors govd may open (the soft limit).',
    registers,
    async collect() {
      const limits = await fs.readFile('/proc/self/limits', 'utf8').catch(() => null);
      const max = limits === null ? null : parseMaxOpenFiles(limits);
      if (max !== null) this.set(max);
    },
  });
}
