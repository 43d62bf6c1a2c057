import * as nodeFs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { baseUrl, restartRequiredKeys } from '@gov/api';
import { createHistoryFile, ensureToken, guardToken, historyMaxBytes, loadConfig, stateFiles, type LoadedConfig } from '@gov/api/node';
import { ConfigError, createGovernor, resolveStateDir, type Advisor, type Logger, type SnapshotSource } from '@gov/policies';
import type { Environment } from '@gov/meminfo';
import type { ReclaimCallOptions, ReclaimRequest, ReclaimResult } from '@gov/reclaimer';
import type { DaemonContainers } from './container-listing.js';
import { createControlCenter } from './control-center.js';
import { createDaemonApi } from './daemon-api.js';
import { createDaemonHistory } from './daemon-history.js';
import { createDaemonPorts } from './daemon-ports.js';
import { createMetrics } from './metrics.js';
import type { DaemonPods } from './pod-listing.js';
import { serveApi, type ApiServerLimits } from './server.js';
import { describeStart } from './start-summary.js';
import { createTelemetry } from './telemetry.js';
import { observeTicks } from './tick-observer.js';

/** The reclaimer as the daemon uses it: the Governor's port, and the API's full requests, which refuse to wait. */
export interface DaemonReclaimer {
  reclaim(request: ReclaimRequest, options?: ReclaimCallOptions): Promise<ReclaimResult>;
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
  pods?: DaemonPods;
  /** `null`: run without an advisor. Absent: the neural advisor with its model in `state_dir`. */
  advisor?: Advisor | null;
  now?: () => Date;
  fs?: typeof nodeFs;
  /** How long a stop waits for the API requests being answered; default `API_DRAIN_MS`. */
  apiDrainMs?: number;
  /** Replaces some of the HTTP server's limits (`API_SERVER_LIMITS`); tests shorten its timeouts. */
  apiLimits?: Partial<ApiServerLimits>;
  /** Where govd runs (`$GOV_ENVIRONMENT`); default: detected from `/proc`. */
  environment?: Environment;
  /** The Control Center's built files; default `dist/web` of this package. */
  webRoot?: string;
}

/** How long a stop lets API requests (a reclaim) finish: within the service's 60 s stop timeout, with the running tick. */
export const API_DRAIN_MS = 30_000;

/** `dist/web` of this package, from the built `dist/govd.js` and from `src/` alike. */
const BUILT_WEB_ROOT = fileURLToPath(new URL('../dist/web/', import.meta.url));

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
  const files = stateFiles(resolveStateDir(loaded.config, options.home, options.env));
  const token = await ensureToken(files.dir, { fs });
  const telemetry = createTelemetry();
  const history = createDaemonHistory(createHistoryFile({ path: files.history, maxBytes: historyMaxBytes(loaded.config), fs }), { telemetry, logger, now });
  await history.open();
  const ports = await createDaemonPorts(options, loaded.config, files, fs);
  const listingMaxAgeMs = () => loaded.config.governor.check_interval_secs * 1000;
  const { neural } = ports;
  // The readers run at scrape time, after the Governor below exists.
  const metrics = createMetrics({
    version: options.version,
    readers: {
      config: () => loaded.config,
      state: () => governor.state,
      ...(neural ? { learner: () => neural.status() } : {}),
      containers: () => ports.containers.recent(listingMaxAgeMs()),
      pods: () => ports.pods.recent(listingMaxAgeMs()),
      history: () => history.writeStatus(),
    },
  });
  const governor = createGovernor({
    source: ports.source,
    reclaimer: ports.reclaimer,
    containers: ports.containers,
    pods: ports.pods,
    ...(ports.advisor ? { advisor: ports.advisor } : {}),
    history,
    // Ticks are timed on the monotonic clock unless a test drives the time.
    clock: options.now ? { now } : { now, monotonicMs: () => performance.now() },
    config: loaded.config,
    logger,
    dryRun: options.dryRun,
  });
  const ticks = observeTicks(governor, { metrics, telemetry, logger });
  // The token file is checked again each tick: one made readable by others is tightened at once.
  governor.onTick(() => {
    void guardToken(files.dir).then(({ tightened, problem }) => {
      if (tightened) logger.warn({ path: files.token }, `the API token ${files.token} was readable by others; tightened it to 0600`);
      if (problem) logger.error({ path: files.token }, `the API token file cannot be trusted any more (${problem}); govd keeps the token it started with`);
    });
  });

  async function apply(next: LoadedConfig): Promise<string[]> {
    const restartRequired = restartRequiredKeys(loaded.config, next.config);
    loaded = next;
    governor.setConfig(next.config);
    history.setMaxBytes(historyMaxBytes(next.config));
    if (restartRequired.length > 0) logger.warn({ keys: restartRequired }, `changed keys take effect at the next start: ${restartRequired.join(', ')}`);
    return restartRequired;
  }

  const controlCenter = createControlCenter(options.webRoot ?? BUILT_WEB_ROOT, { fs });
  const api = createDaemonApi({ options, fs, now, startedAt, files, logger, loaded: () => loaded, apply, governor, ports, history, ticks, telemetry, metrics, controlCenter });
  const server = await serveApi(api, { token, listen: loaded.config.daemon.listen, logger, ...(options.apiLimits ? { limits: options.apiLimits } : {}) });
  telemetry.start();
  const dryRunNote = options.dryRun ? ' (dry run: --dry-run)' : loaded.config.governor.dry_run ? ' (dry run: governor.dry_run)' : '';
  await history.event('started', `govd ${options.version} started with policy ${loaded.config.governor.policy}${dryRunNote}, config ${loaded.path ?? 'built-in defaults'}`);
  logger.info({ listen: `${server.address.address}:${server.address.port}`, configPath: loaded.path, stateDir: files.dir, policy: loaded.config.governor.policy, dryRun: options.dryRun || loaded.config.governor.dry_run }, 'govd listening');
  const { address, port } = server.address;
  const start = describeStart({ config: loaded.config, configPath: loaded.path, dryRunFlag: options.dryRun, isRoot: options.isRoot, url: baseUrl(`${address.includes(':') ? `[${address}]` : address}:${port}`) });
  logger.info({ acting: start.acting }, start.message);
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
    /**
     * Finishes the running tick and the API requests being answered (for at most `apiDrainMs`;
     * their actions are recorded and their clients answered), closes the API, records the stop
     * and flushes the history.
     */
    stop(): Promise<void> {
      stopping ??= (async () => {
        const [, { dropped }] = await Promise.all([governor.stop(), server.close(options.apiDrainMs ?? API_DRAIN_MS)]);
        telemetry.stop();
        await ports.close();
        if (dropped > 0) logger.warn({ dropped }, `${dropped} API request(s) still running at the stop were dropped`);
        const droppedNote = dropped > 0 ? `; ${dropped} API request(s) still running after ${options.apiDrainMs ?? API_DRAIN_MS} ms were dropped` : '';
        await history.event('stopped', `govd stopped after ${ticks.count} ticks${droppedNote}`);
        await history.close();
        await ports.neural?.flush();
        logger.info({ ticks: ticks.count }, 'govd stopped');
      })();
      return stopping;
    },
  };
}

export type Daemon = Awaited<ReturnType<typeof startDaemon>>;
