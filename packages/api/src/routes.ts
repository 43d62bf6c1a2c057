import { ApiError } from './errors.js';

/** One route of govd's API: mutating routes need `Authorization: Bearer <token>`. */
export interface Route {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  mutating: boolean;
  /** A probe answers 503 with its usual body when failing (Kubernetes and load balancers read the status). */
  probe?: true;
}

/** Every route govd serves, by the name the client and the server both use. */
export const routes = {
  controlCenter: { method: 'GET', path: '/', mutating: false },
  status: { method: 'GET', path: '/api/status', mutating: false },
  history: { method: 'GET', path: '/api/history', mutating: false },
  telemetry: { method: 'GET', path: '/api/telemetry', mutating: false },
  metrics: { method: 'GET', path: '/metrics', mutating: false },
  config: { method: 'GET', path: '/api/config', mutating: false },
  updateConfig: { method: 'PUT', path: '/api/config', mutating: true },
  reclaim: { method: 'POST', path: '/api/reclaim', mutating: true },
  feedback: { method: 'POST', path: '/api/feedback', mutating: true },
  learnReset: { method: 'POST', path: '/api/learn/reset', mutating: true },
  containers: { method: 'GET', path: '/api/containers', mutating: false },
  pauseContainer: { method: 'POST', path: '/api/containers/pause', mutating: true },
  unpauseContainer: { method: 'POST', path: '/api/containers/unpause', mutating: true },
  configSchema: { method: 'GET', path: '/api/config/schema', mutating: false },
  pods: { method: 'GET', path: '/api/pods', mutating: false },
  health: { method: 'GET', path: '/healthz', mutating: false, probe: true },
  ready: { method: 'GET', path: '/readyz', mutating: false, probe: true },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof routes;

/** Default and largest `limit` of `GET /api/history`. */
export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 10_000;

/** The `limit` query of `GET /api/history` (`null`: not given); anything else than 1 … 10 000 is a 400. */
export function parseHistoryLimit(text: string | null): number {
  if (text === null) return HISTORY_DEFAULT_LIMIT;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > HISTORY_MAX_LIMIT) {
    throw new ApiError(400, 'GOV_HTTP_BAD_QUERY', `limit: "${text}" is not a whole number from 1 to ${HISTORY_MAX_LIMIT}`);
  }
  return Number(text);
}

/** The spans of time `GET /api/telemetry?range=` and the Control Center's chart offer, in milliseconds. */
export const TELEMETRY_RANGES = { hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;
export type TelemetryRange = keyof typeof TELEMETRY_RANGES;
/** The most samples one telemetry answer carries: a longer range is thinned to this many. */
export const TELEMETRY_MAX_POINTS = 720;

/** The `range` query of `GET /api/telemetry` (`null`: not given, a day); anything else is a 400. */
export function parseTelemetryRange(text: string | null): TelemetryRange {
  if (text === null) return 'day';
  if (Object.hasOwn(TELEMETRY_RANGES, text)) return text as TelemetryRange;
  throw new ApiError(400, 'GOV_HTTP_BAD_QUERY', `range: "${text.slice(0, 40)}" is not one of ${Object.keys(TELEMETRY_RANGES).join(', ')}`);
}

/**
 * The `since` query of `GET /api/history`: an ISO 8601 time (e.g. `2026-11-22T02:00:00Z`) after
 * which records are wanted, as epoch milliseconds; `null` when not given. Anything else is a 400.
 */
export function parseHistorySince(text: string | null): number | null {
  if (text === null) return null;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ApiError(400, 'GOV_HTTP_BAD_QUERY', `since: "${text.slice(0, 40)}" is not a time such as 2026-11-22T02:00:00Z`);
  return ms;
}
