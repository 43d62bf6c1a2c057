import type { ContainerInfo } from '@gov/docker';
import type { Environment, Snapshot } from '@gov/meminfo';
import type { Decision, ErrorStage, GovConfig, HistoryRecord, PolicyName } from '@gov/policies';
import type { ReclaimResult } from '@gov/reclaimer';
import type { BufferStoreStatus } from '@gov/ringbuffer-evictor';

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
export type TelemetryStatus = BufferStoreStatus<'points' | 'actions'>;

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

/** `GET /api/telemetry`. */
export interface TelemetryResponse {
  snapshots: TelemetryPoint[];
  actions: TelemetryAction[];
}

/** `GET /api/config`: the file in use (`null` on the defaults) and the whole config, defaults filled in. */
export interface ConfigResponse {
  path: string | null;
  config: GovConfig;
}

/** `PUT /api/config`: where it was written, what applies now, and the keys that wait for a restart. */
export interface ConfigUpdateResponse {
  path: string;
  config: GovConfig;
  restartRequired: string[];
}

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
}
