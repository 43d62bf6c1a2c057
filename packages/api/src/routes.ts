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
