export { baseUrl, parseListen } from './address.js';
export type { ListenAddress } from './address.js';
export { containerBodySchema, FEEDBACK_NOTE_MAX_CHARS, feedbackBodySchema, parseRequestBody, reclaimBodySchema } from './bodies.js';
export type { ContainerBody, FeedbackBody, ReclaimBody } from './bodies.js';
export { createApiClient } from './client.js';
export type { ApiClient, ApiClientOptions } from './client.js';
export { ApiError, ApiUnreachableError } from './errors.js';
export { formatBytes, formatDuration, formatPercent } from './format.js';
export type { ApiErrorBody } from './errors.js';
export { restartRequiredKeys } from './restart-keys.js';
export { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, parseHistoryLimit, parseHistorySince, parseTelemetryRange, routes, TELEMETRY_MAX_POINTS, TELEMETRY_RANGES } from './routes.js';
export type { Route, RouteName, TelemetryRange } from './routes.js';
export type {
  ApiResponses,
  Capabilities,
  ConfigResponse,
  ConfigSchemaResponse,
  ConfigUpdateResponse,
  ConfigWrite,
  ContainerPauseResponse,
  ContainerUnpauseResponse,
  ContainersResponse,
  FeedbackResponse,
  HealthResponse,
  HistoryRead,
  LearnResetResponse,
  PodsResponse,
  ReadinessResponse,
  StatusResponse,
  TelemetryAction,
  TelemetryPoint,
  TelemetryResponse,
  TelemetryStatus,
} from './types.js';
