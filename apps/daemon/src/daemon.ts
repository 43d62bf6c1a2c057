import * as nodeFs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSnapshotSource, type Snapshot } from '@gov/meminfo';
import { createFileModelStore, MODEL_FILE_NAME, openNeuralAdvisor, type NeuralAdvisor } from '@gov/neural';
import {
  ConfigError,
  createGovernor,
  parseConfigToml,
  resolveStateDir,
  validateConfig,
  type Advisor,
  type ContainerPort,
  type GovConfig,
  type Governor,
  type HistoryRecord,
  type Logger,
  type SnapshotSource,
  type TickReport,
} from '@gov/policies';
import { createDockerClient, type DockerClient } from '@gov/docker';
import { createDryRunExecutor, createReclaimer, isReclaimError, type ReclaimRequest, type ReclaimResult } from '@gov/reclaimer';
import { z } from 'zod';
import { defaultUserConfigPath, loadConfig, writeConfigAtomically, type LoadedConfig } from './config-file.js';
import { renderControlCenter } from './control-center.js';
import { HttpError } from './errors.js';
import { createHistoryFile, HISTORY_FILE } from './history-file.js';
import { createApiHandler, type DaemonApi, type RequestBody } from './http-api.js';
import { allowedHostHeaders, parseListen } from './listen.js';
import { createMetrics } from './metrics.js';
import { createTelemetry } from './telemetry.js';
import { ensureToken } from './token.js';

const MIB = 1024 * 1024;

/** The reclaimer as the daemon uses it: the Governor's port and the API's full requests. */
export interface DaemonReclaimer {
  reclaim(request: ReclaimRequest): Promise<ReclaimResult>;
}

/** A container port that can also take the CPU samples idle detection needs. */
export interface DaemonContainers extends ContainerPort {
  /** Lists the containers (recording a CPU sample for idle detection). */
  sample?(): Promise<readonly { state: string }[]>;
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

const reclaimBodySchema = z.strictObject({
  method: z.enum(['drop_caches', 'compact_memory', 'cgroup_reclaim', 'full']).default('full'),
  level: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  sync: z.boolean().optional(),
  targetBytes: z.number().int().positive().optional(),
  cgroup: z.string().max(4096).optional(),
  dryRun: z.boolean().optional(),
});

const feedbackBodySchema = z.strictObject({
  kind: z.enum(['slow', 'ok']),
  note: z.string().max(2000).nullable().optional(),
});

function invalidBody(error: z.ZodError): HttpError {
  const problems = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return new HttpError(400, 'GOV_HTTP_INVALID_BODY', `invalid request body: ${problems.map((problem) => `${problem.path || '(body)'}: ${problem.message}`).join('; ')}`, problems);
}

function configFromBody(body: RequestBody): GovConfig {
  try {
    if (body.contentType === 'application/json') return validateConfig(body.json, 'PUT /api/config');
    if (body.contentType === 'application/toml' || body.contentType === 'text/plain') return parseConfigToml(body.text, 'PUT /api/config');
  } catch (error) {
    if (error instanceof ConfigError) throw new HttpError(400, error.code, error.message, error.problems, { cause: error });
    throw error;
  }
  throw new HttpError(415, 'GOV_HTTP_UNSUPPORTED_MEDIA_TYPE', `send the config as application/json or application/toml, not ${body.contentType}`);
}

/** Config keys that only take effect when govd restarts. */
function restartKeys(before: GovConfig, after: GovConfig): string[] {
  const keys: string[] = [];
  if (before.daemon.listen !== after.daemon.listen) keys.push('daemon.listen');
  if (before.daemon.state_dir !== after.daemon.state_dir) keys.push('daemon.state_dir');
  if (before.docker.idle_cpu_percent !== after.docker.idle_cpu_percent) keys.push('docker.idle_cpu_percent');
  for (const key of ['enabled', 'min_samples', 'may_raise'] as const) {
    if (before.governor.learning[key] !== after.governor.learning[key]) keys.push(`governor.learning.${key}`);
  }
  return keys;
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
  const stateDir = resolveStateDir(loaded.config, options.home);
  const listen = parseListen(loaded.config.daemon.listen);
  const token = await ensureToken(stateDir, { fs });
  const history = createHistoryFile({ path: join(stateDir, HISTORY_FILE), maxBytes: loaded.config.daemon.history_max_mb * MIB, fs });
  const telemetry = createTelemetry();
  const metrics = createMetrics();
  const effectiveDryRun = () => options.dryRun || loaded.config.governor.dry_run;

  const reclaimer: DaemonReclaimer = options.reclaimer ?? createReclaimer(options.dryRun ? { executor: createDryRunExecutor(), whenBusy: 'wait' } : { whenBusy: 'wait' });

  let dockerClient: DockerClient | null = null;
  let dockerState: { available: boolean | null; error: string | null } = { available: null, error: null };
  const containers: DaemonContainers =
    options.containers ??
    (() => {
      const client = () => (dockerClient ??= createDockerClient({ stateDir, idleCpuPercent: loaded.config.docker.idle_cpu_percent, reclaimer }));
      return {
        pauseIdle: async (pauseOptions) => {
          const result = await client().pauseIdle(pauseOptions);
          return { paused: result.paused, wouldPause: result.wouldPause, freedBytes: result.freedBytes };
        },
        // Listing records a CPU sample per container, which is what idle detection needs.
        sample: () => client().listContainers(),
      };
    })();

  let advisor: Advisor | null = null;
  let neural: NeuralAdvisor | null = null;
  let runningContainers: number | null = null;
  const learning = loaded.config.governor.learning;
  if (options.advisor !== undefined) {
    advisor = options.advisor;
  } else if (learning.enabled) {
    try {
      const opened = await openNeuralAdvisor({
        store: createFileModelStore({ path: join(stateDir, MODEL_FILE_NAME), fs }),
        minSamples: learning.min_samples,
        mayRaise: learning.may_raise,
        onError: (error) => logger.warn({ err: error }, `advisor: ${error.message}`),
      });
      neural = opened.advisor;
      advisor = opened.advisor;
      if (opened.loaded.status === 'set-aside') logger.warn({ setAsideTo: opened.loaded.setAsideTo }, `advisor model set aside: ${opened.loaded.problem}`);
    } catch (error) {
      logger.warn({ err: error }, `running without the advisor: ${(error as Error).message}`);
    }
  }

  // Detects the environment once and keeps the /proc files open between ticks.
  const ownSource = options.source ? null : createSnapshotSource();
  const source: SnapshotSource = options.source ?? (ownSource as SnapshotSource);
  const appendEvent = async (event: string, message: string) => {
    try {
      await history.append({ kind: 'event', at: now().toISOString(), event, message });
    } catch (error) {
      logger.error({ err: error }, (error as Error).message);
    }
  };
  const historyPort = {
    async append(record: HistoryRecord) {
      await history.append(record);
      if (record.kind === 'reclaim' || record.kind === 'pause-idle-containers') {
        telemetry.recordAction({ at: record.at, kind: record.kind, method: record.kind === 'reclaim' ? record.method : null, freedBytes: record.freedBytes, dryRun: record.dryRun });
      }
    },
  };

  const governor: Governor = createGovernor({
    source,
    reclaimer,
    containers,
    ...(advisor ? { advisor, runningContainers: () => runningContainers } : {}),
    history: historyPort,
    clock: { now },
    config: loaded.config,
    logger,
    dryRun: options.dryRun,
  });

  let ticks = 0;
  let lastSnapshot: Snapshot | null = null;
  governor.on('tick', (report: TickReport) => {
    ticks += 1;
    if (report.snapshot) {
      lastSnapshot = report.snapshot;
      metrics.recordSnapshot(report.snapshot);
      telemetry.recordSnapshot(report.snapshot);
    }
    if (report.taken) metrics.recordDecision(report.taken);
    if (report.action?.kind === 'reclaim') {
      const { result } = report.action;
      metrics.recordReclaim({ method: result.fallback?.to ?? result.method, trigger: 'governor', dryRun: result.dryRun, failed: result.steps.some((step) => step.status === 'failed'), freedBytes: result.freedBytes });
    }
    metrics.observeTick(report.durationMs, report.errors.length > 0);
    metrics.setTelemetryBytes(telemetry.memoryStatus().totalBytes);
    logger.debug({ decision: report.taken?.code ?? null, durationMs: report.durationMs, errors: report.errors.length }, 'tick');
    // Idle detection needs a listing every tick; so does the advisor, which counts running containers.
    if ((loaded.config.docker.auto_pause_idle_containers || neural !== null) && containers.sample) {
      containers.sample().then(
        (listed) => {
          dockerState = { available: true, error: null };
          runningContainers = listed.filter((container) => container.state === 'running').length;
        },
        (error: unknown) => {
          dockerState = { available: false, error: (error as Error).message };
          runningContainers = null;
        },
      );
    }
  });

  async function apply(next: LoadedConfig): Promise<string[]> {
    const restartRequired = restartKeys(loaded.config, next.config);
    loaded = next;
    governor.setConfig(next.config);
    history.setMaxBytes(next.config.daemon.history_max_mb * MIB);
    if (restartRequired.length > 0) logger.warn({ keys: restartRequired }, `changed keys take effect at the next start: ${restartRequired.join(', ')}`);
    return restartRequired;
  }

  const api: DaemonApi = {
    status() {
      const snapshot = lastSnapshot as Snapshot | null;
      return {
        version: options.version,
        pid: options.pid,
        startedAt: startedAt.toISOString(),
        uptimeMs: now().getTime() - startedAt.getTime(),
        dryRun: effectiveDryRun(),
        enabled: loaded.config.governor.enabled,
        policy: loaded.config.governor.policy,
        checkIntervalSecs: loaded.config.governor.check_interval_secs,
        configPath: loaded.path,
        stateDir,
        listen: loaded.config.daemon.listen,
        ticks,
        snapshot,
        lastDecision: governor.lastTick?.taken ?? null,
        lastTick: governor.lastTick
          ? { at: governor.lastTick.at, durationMs: governor.lastTick.durationMs, dryRun: governor.lastTick.dryRun, errors: governor.lastTick.errors.map(({ stage, code, message }) => ({ stage, code, message })) }
          : null,
        capabilities: {
          environment: snapshot?.environment ?? null,
          linuxMemory: snapshot ? snapshot.linux !== null : null,
          pressure: snapshot ? snapshot.pressure !== null : null,
          vmstat: snapshot ? snapshot.vmstat !== null : null,
          hostMemory: snapshot ? snapshot.host !== null : null,
          reclaim: effectiveDryRun() ? 'dry-run' : options.isRoot ? 'root' : 'needs-root',
          docker: { autoPause: loaded.config.docker.auto_pause_idle_containers, ...dockerState },
          advisor: neural ? neural.status().phase : advisor ? 'custom' : 'none',
        },
        degraded: snapshot?.degraded ?? [],
        telemetry: telemetry.memoryStatus(),
      };
    },
    history: (limit) => history.read(limit),
    telemetry: () => ({ snapshots: telemetry.points(), actions: telemetry.actions() }),
    metrics: () => metrics.render(),
    config: () => ({ path: loaded.path, config: loaded.config }),
    async updateConfig(body) {
      const config = configFromBody(body);
      const path = loaded.path ?? defaultUserConfigPath(options.home);
      await writeConfigAtomically(path, config, { fs, pid: options.pid });
      const restartRequired = await apply({ config, path });
      logger.info({ path, policy: config.governor.policy }, 'config updated through the API');
      await appendEvent('config-updated', `config replaced through PUT /api/config and saved to ${path}`);
      return { path, config, restartRequired };
    },
    async reclaim(body) {
      const parsed = reclaimBodySchema.safeParse(body.json);
      if (!parsed.success) throw invalidBody(parsed.error);
      const request: ReclaimRequest = { ...parsed.data, dryRun: effectiveDryRun() || parsed.data.dryRun === true };
      let result: ReclaimResult;
      try {
        result = await reclaimer.reclaim(request);
      } catch (error) {
        if (isReclaimError(error)) {
          const status = error.code === 'GOV_RECLAIM_BUSY' ? 409 : error.code.startsWith('GOV_RECLAIM_INVALID') ? 400 : 500;
          throw new HttpError(status, error.code, error.message, undefined, { cause: error });
        }
        throw error;
      }
      const record: HistoryRecord = {
        kind: 'reclaim',
        at: now().toISOString(),
        policy: loaded.config.governor.policy,
        code: 'api-request',
        reason: 'requested through POST /api/reclaim',
        method: result.method,
        targetBytes: result.targetBytes,
        freedBytes: result.freedBytes,
        freedMeasure: result.freedMeasure,
        durationMs: result.durationMs,
        dryRun: result.dryRun,
        steps: result.steps.map((step) => ({ name: step.name, status: step.status, durationMs: step.durationMs, ...(step.error ? { error: { code: step.error.code, message: step.error.message } } : {}) })),
        advice: null,
        ...(result.fallback ? { fallback: { ...result.fallback } } : {}),
      };
      await historyPort.append(record);
      metrics.recordReclaim({ method: result.fallback?.to ?? result.method, trigger: 'api', dryRun: result.dryRun, failed: result.steps.some((step) => step.status === 'failed'), freedBytes: result.freedBytes });
      logger.info({ method: result.method, freedBytes: result.freedBytes, dryRun: result.dryRun }, 'reclaim requested through the API');
      return result;
    },
    async feedback(body) {
      const parsed = feedbackBodySchema.safeParse(body.json);
      if (!parsed.success) throw invalidBody(parsed.error);
      await governor.recordFeedback(parsed.data.kind, parsed.data.note ?? null);
      metrics.recordFeedback(parsed.data.kind);
      logger.info({ feedback: parsed.data.kind }, 'feedback recorded');
      return { recorded: { kind: 'feedback', feedback: parsed.data.kind, note: parsed.data.note ?? null } };
    },
    async learnReset() {
      if (!neural) throw new HttpError(409, 'GOV_HTTP_NO_ADVISOR', 'govd runs without the learned advisor ([governor.learning] enabled = false, or its model could not be opened)');
      const removed = await neural.reset();
      await appendEvent('learn-reset', `the learned advisor starts over${removed ? '; its model file was deleted' : ''}`);
      logger.info({ removed }, 'learned advisor reset');
      return { reset: true, model: join(stateDir, MODEL_FILE_NAME), removed };
    },
    controlCenter: () => renderControlCenter(),
  };

  const allowedHosts = allowedHostHeaders(listen);
  const server: Server = createServer(
    createApiHandler(api, {
      token,
      ...(allowedHosts ? { allowedHosts } : {}),
      onError: (error, request) => logger.error({ err: error, ...request }, `HTTP ${request.method} ${request.path} failed: ${(error as Error).message}`),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  telemetry.start();
  const dryRunNote = options.dryRun ? ' (dry run: --dry-run)' : loaded.config.governor.dry_run ? ' (dry run: governor.dry_run)' : '';
  await appendEvent('started', `govd ${options.version} started with policy ${loaded.config.governor.policy}${dryRunNote}, config ${loaded.path ?? 'built-in defaults'}`);
  logger.info({ listen: `${address.address}:${address.port}`, configPath: loaded.path, stateDir, policy: loaded.config.governor.policy, dryRun: effectiveDryRun() }, 'govd listening');
  governor.start();

  let stopping: Promise<void> | null = null;
  return {
    governor,
    stateDir,
    token,
    address,
    /** Re-reads the config (SIGHUP); a bad one is refused and the running one kept. */
    async reload(): Promise<boolean> {
      try {
        const next = await loadConfig({ flagPath: options.flagPath, env: options.env, home: options.home, fs });
        const restartRequired = await apply(next);
        logger.info({ configPath: next.path, policy: next.config.governor.policy, restartRequired }, 'config reloaded');
        await appendEvent('config-reloaded', `config reloaded from ${next.path ?? 'built-in defaults'}`);
        return true;
      } catch (error) {
        const problems = error instanceof ConfigError ? error.problems : undefined;
        logger.error({ err: error, problems }, `config reload refused, keeping the running config: ${(error as Error).message}`);
        await appendEvent('config-refused', (error as Error).message);
        return false;
      }
    },
    /** Finishes the running tick, closes the API, records the stop and flushes the history. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await governor.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        telemetry.stop();
        ownSource?.close();
        await appendEvent('stopped', `govd stopped after ${ticks} ticks`);
        await history.close();
        await neural?.flush();
        logger.info({ ticks }, 'govd stopped');
      })();
      return stopping;
    },
  };
}

export type Daemon = Awaited<ReturnType<typeof startDaemon>>;
