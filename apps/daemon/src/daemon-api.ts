import { ApiError, containerBodySchema, feedbackBodySchema, parseRequestBody, reclaimBodySchema, type StatusResponse } from '@gov/api';
import { defaultUserConfigPath, readConfigText, saveConfigChanges, writeConfigText, type LoadedConfig, type StateFiles } from '@gov/api/node';
import { DockerError } from '@gov/docker';
import { changedConfigKeys, ConfigError, configJsonSchema, parseConfigToml, toHistoryRecord, validateConfig, type GovConfig, type Governor, type Logger } from '@gov/policies';
import { isReclaimError, type ReclaimRequest, type ReclaimResult } from '@gov/reclaimer';
import type { ControlCenter } from './control-center.js';
import { judgeHealth, judgeReadiness } from './health.js';
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
  controlCenter: ControlCenter;
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

const DOCKER_STATUS: Partial<Record<DockerError['code'], number>> = { GOV_DOCKER_GUARDED: 409, GOV_DOCKER_NOT_RUNNING: 409, GOV_DOCKER_NOT_FOUND: 404, GOV_DOCKER_UNAVAILABLE: 503 };

/** A Docker failure as the API answers it: a guard or a paused container is a conflict, a missing one 404. */
function dockerFailure(error: unknown): unknown {
  if (!(error instanceof DockerError)) return error;
  return new ApiError(DOCKER_STATUS[error.code] ?? 502, error.code, error.message, error.guard === null ? undefined : { guard: error.guard }, { cause: error });
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
  // The schema never changes while govd runs; building it takes zod a few milliseconds.
  let schema: ReturnType<typeof configJsonSchema> | undefined;

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
    async history(limit, sinceMs) {
      const read = await history.read(limit);
      return sinceMs === null ? read : { ...read, records: read.records.filter((record) => Date.parse(record.at) >= sinceMs) };
    },
    telemetry: (range) => telemetry.range(range),
    metrics: () => metrics.render(),
    async config() {
      const { path, config } = context.loaded();
      const text = path === null ? null : await readConfigText(path, { fs: context.fs }).catch(() => null);
      return { path, text, config };
    },
    configSchema: () => (schema ??= configJsonSchema()),
    async updateConfig(body) {
      const sent = configFromBody(body);
      const before = context.loaded();
      const path = before.path ?? defaultUserConfigPath(options.home);
      let saved: Awaited<ReturnType<typeof saveConfigChanges>>;
      if (body.contentType === 'application/json') {
        saved = await saveConfigChanges(path, before.config, sent, { fs: context.fs });
      } else {
        // A whole file sent as TOML (the raw editor) is the user's own text: written as sent.
        await writeConfigText(path, body.text, { fs: context.fs });
        saved = { config: sent, write: { mode: 'replaced', changed: changedConfigKeys(before.config, sent).map((change) => change.path), backupPath: null } };
      }
      const { config, write } = saved;
      const restartRequired = await context.apply({ config, path });
      logger.info({ path, policy: config.governor.policy, write: write.mode, changed: write.changed }, 'config updated through the API');
      const how = { patched: 'changed only their lines', replaced: 'wrote the TOML sent', created: 'created the file', rewritten: `rewrote the file whole (the old one is ${write.backupPath})` }[write.mode];
      await history.event('config-updated', `config updated through PUT /api/config (${write.changed.length === 0 ? 'no value changed' : write.changed.join(', ')}): ${how} in ${path}`);
      return { path, config, restartRequired, write };
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
    pods: () => ports.pods.recent(context.loaded().config.governor.check_interval_secs * 1000),
    health: () => judgeHealth({ now: now(), startedAt: context.startedAt, ticks: ticks.count, lastTickAt: ticks.lastTickAt, checkIntervalSecs: context.loaded().config.governor.check_interval_secs }),
    ready: () => judgeReadiness(ticks.lastSnapshot),
    async pauseContainer(body) {
      const { name, dryRun: asked = false } = parseRequestBody(containerBodySchema, body.json);
      const pause = ports.containers.pause;
      if (!pause) throw new ApiError(409, 'GOV_HTTP_NO_DOCKER', 'govd runs without a Docker client that can pause by name');
      const { config } = context.loaded();
      const startedMs = now().getTime();
      const dry = dryRun() || asked;
      const decision = await pause(name, { allow: config.docker.allow, deny: config.docker.deny, dryRun: dry }).catch((error: unknown) => {
        throw dockerFailure(error);
      });
      const reason = `${decision.name} paused through POST /api/containers/pause${decision.reclaim ? `; reclaim ${decision.reclaim.status}: ${decision.reclaim.detail}` : ''}`;
      metrics.recordIdleAction({ kind: 'pause-idle-containers', count: decision.action === 'paused' ? 1 : 0, freedBytes: decision.freedBytes, dryRun: dry, trigger: 'api', failed: decision.action === 'failed' });
      await history.append({ kind: 'pause-idle-containers', at: new Date(startedMs).toISOString(), policy: config.governor.policy, code: 'api-request', reason, paused: [decision.name], freedBytes: decision.freedBytes, durationMs: now().getTime() - startedMs, dryRun: dry });
      logger.info({ container: decision.name, action: decision.action, freedBytes: decision.freedBytes }, 'container paused through the API');
      return decision;
    },
    async unpauseContainer(body) {
      const { name } = parseRequestBody(containerBodySchema.pick({ name: true }), body.json);
      const unpause = ports.containers.unpause;
      if (!unpause) throw new ApiError(409, 'GOV_HTTP_NO_DOCKER', 'govd runs without a Docker client that can unpause by name');
      if (dryRun()) throw new ApiError(409, 'GOV_HTTP_DRY_RUN', `govd runs as a dry run (--dry-run or governor.dry_run) and changes nothing; unpause ${name} with "gov docker unpause ${name}"`);
      const result = await unpause(name).catch((error: unknown) => {
        throw dockerFailure(error);
      });
      await history.event('container-unpaused', `${result.name} ${result.action === 'unpaused' ? 'unpaused' : 'was not paused'} through POST /api/containers/unpause${result.pausedByGov ? ' (gov had paused it)' : ''}`);
      logger.info({ container: result.name, action: result.action }, 'container unpaused through the API');
      return result;
    },
    controlCenter: (acceptsGzip) => context.controlCenter.page(acceptsGzip),
    controlCenterAsset: (name, acceptsGzip) => context.controlCenter.asset(name, acceptsGzip),
  };
}
