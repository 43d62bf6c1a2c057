import { ApiError, feedbackBodySchema, parseRequestBody, reclaimBodySchema, type StatusResponse } from '@gov/api';
import { defaultUserConfigPath, writeConfigAtomically, type LoadedConfig, type StateFiles } from '@gov/api/node';
import { ConfigError, parseConfigToml, toHistoryRecord, validateConfig, type GovConfig, type Governor, type Logger } from '@gov/policies';
import { isReclaimError, type ReclaimRequest, type ReclaimResult } from '@gov/reclaimer';
import { renderControlCenter } from './control-center.js';
import type { DaemonOptions } from './daemon.js';
import type { DaemonHistory } from './daemon-history.js';
import type { DaemonPorts } from './daemon-ports.js';
import type { DaemonApi, RequestBody } from './http-api.js';
import { reclaimSample, type Metrics } from './metrics.js';
import type { Telemetry } from './telemetry.js';
import type { TickMemory } from './tick-observer.js';

/** Everything the routes read or act on; the daemon builds it once. */
export interface DaemonApiContext {
  options: Pick<DaemonOptions, 'version' | 'pid' | 'isRoot' | 'dryRun' | 'home'>;
  fs: NonNullable<DaemonOptions['fs']>;
  now: () => Date;
  startedAt: Date;
  files: StateFiles;
  logger: Logger;
  /** The config in use now (a reload or `PUT /api/config` replaces it). */
  loaded: () => LoadedConfig;
  /** Takes a new config; resolves to the keys that wait for a restart. */
  apply: (next: LoadedConfig) => Promise<string[]>;
  governor: Governor;
  ports: DaemonPorts;
  history: DaemonHistory;
  ticks: TickMemory;
  telemetry: Telemetry;
  metrics: Metrics;
}

function configFromBody(body: RequestBody): GovConfig {
  try {
    if (body.contentType === 'application/json') return validateConfig(body.json, 'PUT /api/config');
    if (body.contentType === 'application/toml' || body.contentType === 'text/plain') return parseConfigToml(body.text, 'PUT /api/config');
  } catch (error) {
    if (error instanceof ConfigError) throw new ApiError(400, error.code, error.message, error.problems, { cause: error });
    throw error;
  }
  throw new ApiError(415, 'GOV_HTTP_UNSUPPORTED_MEDIA_TYPE', `send the config as application/json or application/toml, not ${body.contentType}`);
}

/** A reclaimer failure as the API answers it: busy is a conflict, a refused input a bad request. */
function reclaimFailure(error: unknown): unknown {
  if (!isReclaimError(error)) return error;
  const status = error.code === 'GOV_RECLAIM_BUSY' ? 409 : error.code.startsWith('GOV_RECLAIM_INVALID') ? 400 : 500;
  return new ApiError(status, error.code, error.message, undefined, { cause: error });
}

/** govd's answers to its routes, on the running Governor, history, telemetry and metrics. */
export function createDaemonApi(context: DaemonApiContext): DaemonApi {
  const { options, governor, ports, history, ticks, telemetry, metrics, logger, now } = context;
  const dryRun = () => options.dryRun || context.loaded().config.governor.dry_run;

  function status(): StatusResponse {
    const { config, path } = context.loaded();
    const snapshot = ticks.lastSnapshot;
    const lastTick = governor.lastTick;
    const historyStatus = history.writeStatus();
    return {
      version: options.version,
      pid: options.pid,
      startedAt: context.startedAt.toISOString(),
      uptimeMs: now().getTime() - context.startedAt.getTime(),
      dryRun: dryRun(),
      enabled: config.governor.enabled,
      policy: config.governor.policy,
      checkIntervalSecs: config.governor.check_interval_secs,
      configPath: path,
      stateDir: context.files.dir,
      listen: config.daemon.listen,
      ticks: ticks.count,
      snapshot,
      lastDecision: lastTick?.taken ?? null,
      lastTick: lastTick ? { at: lastTick.at, durationMs: lastTick.durationMs, dryRun: lastTick.dryRun, errors: lastTick.errors.map(({ stage, code, message }) => ({ stage, code, message })) } : null,
      capabilities: {
        environment: snapshot?.environment ?? null,
        linuxMemory: snapshot ? snapshot.linux !== null : null,
        pressure: snapshot ? snapshot.pressure !== null : null,
        vmstat: snapshot ? snapshot.vmstat !== null : null,
        hostMemory: snapshot ? snapshot.host !== null : null,
        reclaim: dryRun() ? 'dry-run' : options.isRoot ? 'root' : 'needs-root',
        docker: { autoPause: config.docker.auto_pause_idle_containers, ...ticks.docker },
        advisor: ports.neural ? ports.neural.status().phase : ports.advisor ? 'custom' : 'none',
      },
      degraded: [...(snapshot?.degraded ?? []), ...(historyStatus.writable ? [] : [{ source: 'history', code: 'GOV_DAEMON_HISTORY', message: historyStatus.lastError ?? 'the last append to the history file failed' }])],
      history: { path: context.files.history, ...historyStatus },
      telemetry: telemetry.memoryStatus(),
    };
  }

  return {
    status,
    history: (limit) => history.read(limit),
    telemetry: () => ({ snapshots: telemetry.points(), actions: telemetry.actions() }),
    metrics: () => metrics.render(),
    config: () => {
      const { path, config } = context.loaded();
      return { path, config };
    },
    async updateConfig(body) {
      const config = configFromBody(body);
      const path = context.loaded().path ?? defaultUserConfigPath(options.home);
      await writeConfigAtomically(path, config, { fs: context.fs });
      const restartRequired = await context.apply({ config, path });
      logger.info({ path, policy: config.governor.policy }, 'config updated through the API');
      await history.event('config-updated', `config replaced through PUT /api/config and saved to ${path}`);
      return { path, config, restartRequired };
    },
    async reclaim(body) {
      const parsed = parseRequestBody(reclaimBodySchema, body.json);
      const request: ReclaimRequest = { ...parsed, dryRun: dryRun() || parsed.dryRun === true };
      let result: ReclaimResult;
      try {
        // Documented: a reclaim asked for while another runs is a 409, never an unbounded queue.
        result = await ports.reclaimer.reclaim(request, { whenBusy: 'fail' });
      } catch (error) {
        throw reclaimFailure(error);
      }
      const cause = { at: now().toISOString(), policy: context.loaded().config.governor.policy, code: 'api-request', reason: 'requested through POST /api/reclaim', advice: null };
      metrics.recordReclaim(reclaimSample(result, 'api'));
      try {
        await history.append(toHistoryRecord({ kind: 'reclaim', result }, cause));
      } catch (error) {
        // The reclaim ran: say so, with its result, rather than a bare failure.
        throw new ApiError(500, 'GOV_DAEMON_HISTORY', `the reclaim ran, but its record could not be written: ${(error as Error).message}`, { result }, { cause: error });
      }
      logger.info({ method: result.method, freedBytes: result.freedBytes, dryRun: result.dryRun }, 'reclaim requested through the API');
      return result;
    },
    async feedback(body) {
      const { kind, note = null } = parseRequestBody(feedbackBodySchema, body.json);
      await governor.recordFeedback(kind, note);
      metrics.recordFeedback(kind);
      logger.info({ feedback: kind }, 'feedback recorded');
      return { recorded: { kind: 'feedback', feedback: kind, note } };
    },
    async learnReset() {
      const { neural } = ports;
      if (!neural) throw new ApiError(409, 'GOV_HTTP_NO_ADVISOR', 'govd runs without the learned advisor ([governor.learning] enabled = false, or its model could not be opened)');
      const removed = await neural.reset();
      await history.event('learn-reset', `the learned advisor starts over${removed ? '; its model file was deleted' : ''}`);
      logger.info({ removed }, 'learned advisor reset');
      return { reset: true, model: context.files.model, removed };
    },
    containers: () => ports.containers.recent(context.loaded().config.governor.check_interval_secs * 1000),
    controlCenter: () => renderControlCenter(),
  };
}
