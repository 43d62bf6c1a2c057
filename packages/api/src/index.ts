export { baseUrl, parseListen } from './address.js';
export type { ListenAddress } from './address.js';
export { FEEDBACK_NOTE_MAX_CHARS, feedbackBodySchema, parseRequestBody, reclaimBodySchema } from './bodies.js';
export type { FeedbackBody, ReclaimBody } from './bodies.js';
export { createApiClient } from './client.js';
export type { ApiClient, ApiClientOptions } from './client.js';
export { ApiError, ApiUnreachableError } from './errors.js';
export { formatBytes, formatDuration, formatPercent } from './format.js';
export type { ApiErrorBody } from './errors.js';
export { restartRequiredKeys } from './restart-keys.js';
export { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, parseHistoryLimit, routes } from './routes.js';
export type { Route, RouteName } from './routes.js';
export type {
  ApiResponses,
  Capabilities,
  ConfigResponse,
  ConfigUpdateResponse,
  ContainersResponse,
  FeedbackResponse,
  HistoryRead,
  LearnResetResponse,
  StatusResponse,
  TelemetryAction,
  TelemetryPoint,
  TelemetryResponse,
  TelemetryStatus,
} from './types.js';
