import * as nodeFs from 'node:fs/promises';
import { restartRequiredKeys } from '@gov/api';
import { createHistoryFile, ensureToken, historyMaxBytes, loadConfig, stateFiles, type LoadedConfig } from '@gov/api/node';
import { ConfigError, createGovernor, resolveStateDir, type Advisor, type Logger, type SnapshotSource } from '@gov/policies';
import type { ReclaimRequest, ReclaimResult } from '@gov/reclaimer';
import type { DaemonContainers } from './container-listing.js';
import { createDaemonApi } from './daemon-api.js';
import { createDaemonHistory } from './daemon-history.js';
import { createDaemonPorts } from './daemon-ports.js';
import { createMetrics } from './metrics.js';
import { serveApi } from './server.js';
import { createTelemetry } from './telemetry.js';
import { observeTicks } from './tick-observer.js';

/** The reclaimer as the daemon uses it: the Governor's port and the API's full requests. */
export interface DaemonReclaimer {
  reclaim(request: ReclaimRequest): Promise<ReclaimResult>;
}

export interface DaemonOptions {
  loaded: LoadedConfig;
  /** `--config PATH`, reused by a reload. */
  flagPath: string | null;
  /** `--dry-run`: nothing is changed whatever the config says. */
  dryRun: boolean;
  env: Record<string, string | undefined>;
  home: string;
  logger: Logger;
  version: string;
  pid: number;
  /** Whether govd runs as root (needed to reclaim). */
  isRoot: boolean;
  /** Replaces the real ports (tests). */
  source?: SnapshotSource;
  reclaimer?: DaemonReclaimer;
  containers?: DaemonContainers;
  /** `null`: run without an advisor. Absent: the neural advisor with its model in `state_dir`. */
  advisor?: Advisor | null;
  now?: () => Date;
  fs?: typeof nodeFs;
}

/**
 * Starts govd: state directory and token, history, telemetry, metrics, the Governor on the
 * real ports, and the HTTP API. Resolves once the API listens.
 */
export async function startDaemon(options: DaemonOptions) {
  const fs = options.fs ?? nodeFs;
  const now = options.now ?? (() => new Date());
  const { logger } = options;
  let loaded = options.loaded;
  const startedAt = now();
  // state_dir and listen are fixed for the life of the process.
  const files = stateFiles(resolveStateDir(loaded.config, options.home));
  const token = await ensureToken(files.dir, { fs });
  const telemetry = createTelemetry();
  const metrics = createMetrics();
  const history = createDaemonHistory(createHistoryFile({ path: files.history, maxBytes: historyMaxBytes(loaded.config), fs }), { telemetry, logger, now });
  const ports = await createDaemonPorts(options, loaded.config, files, fs);
  const governor = createGovernor({
    source: ports.source,
    reclaimer: ports.reclaimer,
    containers: ports.containers,
    ...(ports.advisor ? { advisor: ports.advisor } : {}),
    history,
    // Ticks are timed on the monotonic clock unless a test drives the time.
    clock: options.now ? { now } : { now, monotonicMs: () => performance.now() },
    config: loaded.config,
    logger,
    dryRun: options.dryRun,
  });
  const ticks = observeTicks(governor, { metrics, telemetry, logger });

  async function apply(next: LoadedConfig): Promise<string[]> {
    const restartRequired = restartRequiredKeys(loaded.config, next.config);
    loaded = next;
    governor.setConfig(next.config);
    history.setMaxBytes(historyMaxBytes(next.config));
    if (restartRequired.length > 0) logger.warn({ keys: restartRequired }, `changed keys take effect at the next start: ${restartRequired.join(', ')}`);
    return restartRequired;
  }

  const api = createDaemonApi({ options, fs, now, startedAt, files, logger, loaded: () => loaded, apply, governor, ports, history, ticks, telemetry, metrics });
  const server = await serveApi(api, { token, listen: loaded.config.daemon.listen, logger });
  telemetry.start();
  const dryRunNote = options.dryRun ? ' (dry run: --dry-run)' : loaded.config.governor.dry_run ? ' (dry run: governor.dry_run)' : '';
  await history.event('started', `govd ${options.version} started with policy ${loaded.config.governor.policy}${dryRunNote}, config ${loaded.path ?? 'built-in defaults'}`);
  logger.info({ listen: `${server.address.address}:${server.address.port}`, configPath: loaded.path, stateDir: files.dir, policy: loaded.config.governor.policy, dryRun: options.dryRun || loaded.config.governor.dry_run }, 'govd listening');
  governor.start();

  let stopping: Promise<void> | null = null;
  return {
    governor,
    stateDir: files.dir,
    token,
    address: server.address,
    /** Re-reads the config (SIGHUP); a bad one is refused and the running one kept. */
    async reload(): Promise<boolean> {
      try {
        const next = await loadConfig({ flagPath: options.flagPath, env: options.env, home: options.home, fs });
        const restartRequired = await apply(next);
        logger.info({ configPath: next.path, policy: next.config.governor.policy, restartRequired }, 'config reloaded');
        await history.event('config-reloaded', `config reloaded from ${next.path ?? 'built-in defaults'}`);
        return true;
      } catch (error) {
        const problems = error instanceof ConfigError ? error.problems : undefined;
        logger.error({ err: error, problems }, `config reload refused, keeping the running config: ${(error as Error).message}`);
        await history.event('config-refused', (error as Error).message);
        return false;
      }
    },
    /** Finishes the running tick, closes the API, records the stop and flushes the history. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await governor.stop();
        await server.close();
        telemetry.stop();
        await ports.close();
        await history.event('stopped', `govd stopped after ${ticks.count} ticks`);
        await history.close();
        await ports.neural?.flush();
        logger.info({ ticks: ticks.count }, 'govd stopped');
      })();
      return stopping;
    },
  };
}

export type Daemon = Awaited<ReturnType<typeof startDaemon>>;
