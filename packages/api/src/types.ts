import type { ContainerInfo, PauseDecision, PodListing, UnpauseResult } from '@gov/docker';
import type { Environment, Snapshot } from '@gov/meminfo';
import type { Decision, ErrorStage, GovConfig, HistoryRecord, JsonSchemaNode, PolicyName } from '@gov/policies';
import type { ReclaimResult } from '@gov/reclaimer';
import type { BufferStoreStatus } from '@gov/ringbuffer-evictor';
import type { TelemetryRange } from './routes.js';

/** What govd can do and sense right now, as `GET /api/status` reports it. */
export interface Capabilities {
  environment: Environment | null;
  /** Whether each source answered in the last snapshot; `null` before the first one. */
  linuxMemory: boolean | null;
  pressure: boolean | null;
  vmstat: boolean | null;
  hostMemory: boolean | null;
  /** `needs-root`: govd is not root, so reclaims fail with `GOV_RECLAIM_PERMISSION`. */
  reclaim: 'dry-run' | 'root' | 'needs-root';
  /** `available`/`error`: what the last container listing said (`null` before one ran). */
  docker: { autoPause: boolean; available: boolean | null; error: string | null };
  /** The learned advisor's phase, `custom` for another advisor, `none` without one. */
  advisor: 'observing' | 'advising' | 'custom' | 'none';
}

/** The status of the ring buffers that hold govd's recent samples and actions. */
export type TelemetryStatus = BufferStoreStatus<'points' | 'coarse' | 'actions'>;

/** `GET /api/status`. */
export interface StatusResponse {
  version: string;
  pid: number;
  startedAt: string;
  uptimeMs: number;
  /** `--dry-run` or `governor.dry_run`: nothing is changed. */
  dryRun: boolean;
  enabled: boolean;
  policy: PolicyName;
  checkIntervalSecs: number;
  /** The config file in use; `null` on the built-in defaults. */
  configPath: string | null;
  stateDir: string;
  listen: string;
  ticks: number;
  snapshot: Snapshot | null;
  lastDecision: Decision | null;
  lastTick: { at: string; durationMs: number; dryRun: boolean; errors: { stage: ErrorStage; code: string; message: string }[] } | null;
  capabilities: Capabilities;
  /** Sources that failed in the last snapshot, and the history file (`source: "history"`) while appends fail. */
  degraded: Snapshot['degraded'];
  /** Whether the history file takes appends (a full disk makes them fail until space is freed). */
  history: { path: string; writable: boolean; failures: number; lastError: string | null };
  telemetry: TelemetryStatus;
}

/** `GET /api/history`: the last records, oldest first, and how many lines could not be read back. */
export interface HistoryRead {
  records: HistoryRecord[];
  /** Lines that are not a whole record (a torn last line after a crash, a garbled line). */
  skipped: number;
}

/** One sample of the memory chart: the numbers of a snapshot, without its detail. */
export interface TelemetryPoint {
  at: string;
  total: number | null;
  used: number | null;
  cached: number | null;
  available: number | null;
  reclaimable: number | null;
  hostTotal: number | null;
  hostAvailable: number | null;
  psiSomeAvg10: number | null;
}

/** One thing govd did, as the chart marks it. */
export interface TelemetryAction {
  at: string;
  kind: string;
  method: string | null;
  freedBytes: number;
  dryRun: boolean;
}

/** `GET /api/telemetry?range=hour|day|week`. */
export interface TelemetryResponse {
  range: TelemetryRange;
  /** The samples of the range, oldest first, thinned to at most `TELEMETRY_MAX_POINTS`. */
  snapshots: TelemetryPoint[];
  /** The actions govd recorded since it started, within the range. */
  actions: TelemetryAction[];
  /** The oldest sample govd still holds (samples live in memory: since its start, at most a week); `null` before the first. */
  heldSince: string | null;
}

/** `GET /api/config`: the file in use (`null` on the defaults), its text, and the whole config with defaults filled in. */
export interface ConfigResponse {
  path: string | null;
  /** The file's text as it is on disk now; `null` when govd runs on the defaults or the file cannot be read. */
  text: string | null;
  config: GovConfig;
}

/**
 * How `PUT /api/config` wrote the file: `patched` (only the changed keys' lines; every other
 * line, comment and blank line as it was), `replaced` (the TOML text sent, as sent), `created`
 * (no file yet: the commented template), or `rewritten` (a layout a line edit could not be sure
 * of: the whole file as the commented template, the old one kept at `backupPath`).
 */
export interface ConfigWrite {
  mode: 'patched' | 'replaced' | 'created' | 'rewritten';
  /** Dotted paths of the keys whose values changed. */
  changed: string[];
  backupPath: string | null;
}

/** `PUT /api/config`: where it was written and how, what applies now, and the keys that wait for a restart. */
export interface ConfigUpdateResponse {
  path: string;
  config: GovConfig;
  restartRequired: string[];
  write: ConfigWrite;
}

/** `GET /api/config/schema`: the config's JSON Schema (draft 2020-12), as `gov config schema` prints it. */
export type ConfigSchemaResponse = JsonSchemaNode;

/** `POST /api/containers/pause`: what happened to the container (`paused`, or `would-pause` in a dry run). */
export type ContainerPauseResponse = PauseDecision;

/** `POST /api/containers/unpause`. */
export type ContainerUnpauseResponse = UnpauseResult;

/** `POST /api/feedback`. */
export interface FeedbackResponse {
  recorded: { kind: 'feedback'; feedback: 'slow' | 'ok'; note: string | null };
}

/** `POST /api/learn/reset`. */
export interface LearnResetResponse {
  reset: true;
  /** The model file, deleted when `removed`. */
  model: string;
  removed: boolean;
}

/**
 * `GET /api/containers`: the containers govd's last listing saw (the Governor's sensing, or one
 * made for this request when none is recent), with memory and CPU from their cgroups.
 */
export interface ContainersResponse {
  /** Whether a Docker engine answered the listing. */
  available: boolean;
  /** Why not, when it did not. */
  error: string | null;
  /** ISO time of the listing; `null` when none was made. */
  sampledAt: string | null;
  containers: ContainerInfo[];
}

/**
 * `GET /api/pods`: the pods of this node as govd's last listing saw them, from the kubelet's
 * cgroup tree (`kubernetes: false` off a Kubernetes node, or when the host's cgroup tree is not
 * mounted where govd reads it), with memory and CPU from their cgroups.
 */
export type PodsResponse = PodListing & {
  /** Why the listing failed, when it did. */
  error: string | null;
  /** ISO time of the listing. */
  sampledAt: string;
};

/**
 * `GET /healthz` (liveness): whether the governor loop still ticks. 200 with `ok`, 503 with
 * `stale` once no tick has finished for `maxAgeSeconds` (two check intervals plus 60 s).
 */
export interface HealthResponse {
  status: 'ok' | 'stale';
  ticks: number;
  /** ISO time the last tick finished; `null` before the first. */
  lastTickAt: string | null;
  /** Seconds since the last tick finished (since govd started, before the first). */
  ageSeconds: number;
  maxAgeSeconds: number;
}

/**
 * `GET /readyz` (readiness): whether the memory sources answer. 200 with `ready` once a tick has
 * read Linux memory and no source failed (a source this machine does not offer does not count);
 * 503 with `starting` before the first snapshot or `degraded` with the failing sources.
 */
export interface ReadinessResponse {
  status: 'ready' | 'starting' | 'degraded';
  /** ISO time of the snapshot judged; `null` before the first. */
  snapshotAt: string | null;
  /** The sources that failed in it, with their error codes. */
  failing: Snapshot['degraded'];
}

/** What each route answers: JSON, except `metrics` (Prometheus text) and `controlCenter` (HTML). */
export interface ApiResponses {
  controlCenter: string;
  status: StatusResponse;
  history: HistoryRead;
  telemetry: TelemetryResponse;
  metrics: string;
  config: ConfigResponse;
  updateConfig: ConfigUpdateResponse;
  /** The `ReclaimResult` of `@gov/reclaimer`. */
  reclaim: ReclaimResult;
  feedback: FeedbackResponse;
  learnReset: LearnResetResponse;
  containers: ContainersResponse;
  pauseContainer: ContainerPauseResponse;
  unpauseContainer: ContainerUnpauseResponse;
  configSchema: ConfigSchemaResponse;
  pods: PodsResponse;
  health: HealthResponse;
  ready: ReadinessResponse;
}
