import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '@gov/meminfo';
import { parseConfigToml, type Logger } from '@gov/policies';
import type { ReclaimRequest, ReclaimResult } from '@gov/reclaimer';
import { startDaemon, type Daemon, type DaemonOptions, type DaemonReclaimer } from './daemon.js';
import { freePort } from './govd-harness.js';

const GIB = 1024 ** 3;

/** A quiet machine: 16 GiB, 12 available, no pressure. */
export function quietSnapshot(at: Date): Snapshot {
  return {
    at: at.toISOString(),
    environment: 'linux',
    linux: { total: 16 * GIB, used: 4 * GIB, free: 4 * GIB, shared: 0, buffCache: 8 * GIB, available: 12 * GIB, swapTotal: 0, swapUsed: 0, swapFree: 0, buffers: 0, cached: 8 * GIB, sReclaimable: 0, shmem: 0, reclaimable: 8 * GIB, actualUsage: 4 * GIB, activeFile: null, inactiveFile: null },
    pressure: { some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 }, full: null },
    vmstat: null,
    cpu: null,
    host: { total: 16 * GIB, available: 12 * GIB, vmmem: null },
    degraded: [],
  };
}

/** What a fake reclaim answers: one `drop_caches` step, 1 GiB freed unless it is a dry run. */
export function fakeReclaimResult(request: ReclaimRequest): ReclaimResult {
  return { method: request.method, targetBytes: request.targetBytes ?? null, steps: [{ name: 'drop_caches', status: request.dryRun ? 'skipped' : 'ok', durationMs: 3 }], before: null, after: null, freedBytes: request.dryRun ? 0 : GIB, freedMeasure: 'machine', durationMs: 3, dryRun: request.dryRun === true };
}

/** A logger that keeps every line but debug, for tests to read. */
export function collectingLogger(): { logs: InProcessDaemon['logs']; logger: Logger } {
  const logs: InProcessDaemon['logs'] = [];
  const keep = (level: string) => (object: object, message?: string) => void logs.push({ level, object, message });
  return { logs, logger: { debug: () => undefined, info: keep('info'), warn: keep('warn'), error: keep('error') } };
}

export interface InProcessDaemon {
  daemon: Daemon;
  home: string;
  stateDir: string;
  base: string;
  /** JSON content type and the bearer token. */
  auth: Record<string, string>;
  logs: { level: string; object: object; message: string | undefined }[];
  /** Stops the daemon (once) and removes its home. */
  cleanup(): Promise<void>;
}

/**
 * govd in this process on the given TOML, a free loopback port and a temporary home, with a
 * quiet snapshot source, a fake reclaimer and no advisor unless the options replace them.
 * Resolves after the first tick.
 */
export async function startInProcess(toml = '', options: Partial<Pick<DaemonOptions, 'dryRun' | 'isRoot' | 'fs' | 'source' | 'containers' | 'apiDrainMs' | 'apiLimits'>> & { reclaimer?: DaemonReclaimer; stateDir?: string; home?: string } = {}): Promise<InProcessDaemon> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'govd-in-process-')));
  const stateDir = options.stateDir ?? join(home, 'state');
  const port = await freePort();
  const text = `${toml}\n[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(stateDir)}\n`;
  const { logs, logger } = collectingLogger();
  const now = () => new Date();
  const daemon = await startDaemon({
    loaded: { config: parseConfigToml(text), path: null },
    flagPath: null,
    dryRun: options.dryRun ?? false,
    env: {},
    home,
    logger,
    version: '1.2.3',
    pid: 4242,
    isRoot: options.isRoot ?? true,
    source: options.source ?? { readSnapshot: async () => quietSnapshot(now()) },
    reclaimer: options.reclaimer ?? { reclaim: async (request) => fakeReclaimResult(request) },
    containers: options.containers ?? { pauseIdle: async () => ({ paused: [], freedBytes: 0 }), listContainers: async () => [] },
    advisor: null,
    ...(options.fs ? { fs: options.fs } : {}),
    ...(options.apiDrainMs === undefined ? {} : { apiDrainMs: options.apiDrainMs }),
    ...(options.apiLimits ? { apiLimits: options.apiLimits } : {}),
    now,
  });
  while (daemon.governor.lastTick === null) await new Promise((done) => setTimeout(done, 5));
  let stopped = false;
  return {
    daemon,
    home,
    stateDir,
    base: `http://127.0.0.1:${port}`,
    auth: { 'content-type': 'application/json', authorization: `Bearer ${daemon.token}` },
    logs,
    async cleanup() {
      if (!stopped) {
        stopped = true;
        await daemon.stop();
      }
      if (options.home === undefined) await rm(home, { recursive: true, force: true });
    },
  };
}
