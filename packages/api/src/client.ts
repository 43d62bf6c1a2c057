import type { GovConfigInput } from '@gov/policies';
import type { ContainerBody, FeedbackBody, ReclaimBody } from './bodies.js';
import { ApiError, ApiUnreachableError, type ApiErrorBody } from './errors.js';
import { routes, type RouteName, type TelemetryRange } from './routes.js';
import type { ApiResponses } from './types.js';

export interface ApiClientOptions {
  /** Where govd answers, e.g. `baseUrl(config.daemon.listen)`; `''` from the page govd serves. */
  baseUrl: string;
  /** The token from the state directory; sent to the mutating routes only. */
  token?: string | null;
  /** Default: the global `fetch`. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Gives up on a request after this long (it then counts as unreachable); default never. */
  timeoutMs?: number;
}

/** One method per route of govd's API, each resolving to that route's typed answer. */
export interface ApiClient {
  status(): Promise<ApiResponses['status']>;
  /** The last `limit` records, of those at or after `since` (an ISO time) when given. */
  history(query?: { limit?: number; since?: string }): Promise<ApiResponses['history']>;
  telemetry(query?: { range?: TelemetryRange }): Promise<ApiResponses['telemetry']>;
  /** Prometheus text. */
  metrics(): Promise<ApiResponses['metrics']>;
  config(): Promise<ApiResponses['config']>;
  /** A whole config: an object is sent as JSON, a string as TOML. */
  updateConfig(config: GovConfigInput | string): Promise<ApiResponses['updateConfig']>;
  reclaim(body?: ReclaimBody): Promise<ApiResponses['reclaim']>;
  feedback(body: FeedbackBody): Promise<ApiResponses['feedback']>;
  learnReset(): Promise<ApiResponses['learnReset']>;
  containers(): Promise<ApiResponses['containers']>;
  pauseContainer(body: ContainerBody): Promise<ApiResponses['pauseContainer']>;
  unpauseContainer(body: Pick<ContainerBody, 'name'>): Promise<ApiResponses['unpauseContainer']>;
  /** The config's JSON Schema. */
  configSchema(): Promise<ApiResponses['configSchema']>;
  pods(): Promise<ApiResponses['pods']>;
  /** Liveness; a stale loop's 503 resolves to its answer too. */
  health(): Promise<ApiResponses['health']>;
  /** Readiness; a 503 resolves to its answer too. */
  ready(): Promise<ApiResponses['ready']>;
}

/** Network failures that mean nobody answers at the address (Node's fetch puts the code in `cause`). */
const UNREACHABLE_CODES = ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'];

function isUnreachable(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown }).code;
  return UNREACHABLE_CODES.includes(String(code)) || (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
}

/** `?a=1&b=x` of the parameters that are set; `''` when none is. */
function queryString(parameters: Record<string, string | number | undefined>): string {
  const set = Object.entries(parameters).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  return set.length === 0 ? '' : `?${set.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}`;
}

interface Outgoing {
  query?: string;
  body?: { contentType: string; text: string };
}

/**
 * A small typed client of govd's API over `fetch`, for gov, the Control Center and scripts.
 * Rejects with `ApiUnreachableError` when nothing answers and with `ApiError` (the answer's
 * status, code, message and details) when govd answers with an error.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetcher = options.fetch ?? ((url: string, init: RequestInit) => globalThis.fetch(url, init));

  /** One request; resolves to the answer's text (`as: 'text'`) or its parsed JSON. */
  async function send(name: RouteName, outgoing: Outgoing, as: 'json' | 'text'): Promise<unknown> {
    const route = routes[name];
    const url = `${options.baseUrl}${route.path}${outgoing.query ?? ''}`;
    const headers: Record<string, string> = {};
    if (outgoing.body) headers['content-type'] = outgoing.body.contentType;
    if (route.mutating && options.token) headers['authorization'] = `Bearer ${options.token}`;
    const init: RequestInit = { method: route.method, headers, ...(outgoing.body ? { body: outgoing.body.text } : {}), ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }) };
    let response: Response;
    try {
      response = await fetcher(url, init);
    } catch (error) {
      if (isUnreachable(error)) throw new ApiUnreachableError(url, { cause: error });
      throw error;
    }
    const text = await response.text();
    if (response.ok && as === 'text') return text;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'GOV_API_BAD_ANSWER', `${url} answered ${response.status} with something that is not govd's JSON`);
    }
    // A probe's 503 is its answer (`stale`, `degraded`), in the route's own shape.
    const probeAnswer = 'probe' in route && response.status === 503 && !(body as { error?: unknown } | null)?.error;
    if (!response.ok && !probeAnswer) {
      const error = (body as Partial<ApiErrorBody> | null)?.error;
      throw new ApiError(response.status, error?.code ?? 'GOV_API_BAD_ANSWER', `govd answered ${response.status}: ${error?.message ?? text}`, error?.details);
    }
    return body;
  }

  // govd's answers are trusted to have their route's shape: this is the one place that says so.
  const json = async <K extends RouteName>(name: K, outgoing: Outgoing = {}): Promise<ApiResponses[K]> => (await send(name, outgoing, 'json')) as ApiResponses[K];
  const jsonBody = (value: unknown) => ({ contentType: 'application/json', text: JSON.stringify(value) });

  return {
    status: () => json('status'),
    history: (query = {}) => json('history', { query: queryString({ limit: query.limit, since: query.since }) }),
    telemetry: (query = {}) => json('telemetry', { query: queryString({ range: query.range }) }),
    metrics: async () => String(await send('metrics', {}, 'text')),
    config: () => json('config'),
    updateConfig: (config) => json('updateConfig', { body: typeof config === 'string' ? { contentType: 'application/toml', text: config } : jsonBody(config) }),
    reclaim: (body = {}) => json('reclaim', { body: jsonBody(body) }),
    feedback: (body) => json('feedback', { body: jsonBody(body) }),
    learnReset: () => json('learnReset'),
    containers: () => json('containers'),
    pauseContainer: (body) => json('pauseContainer', { body: jsonBody(body) }),
    unpauseContainer: (body) => json('unpauseContainer', { body: jsonBody(body) }),
    configSchema: () => json('configSchema'),
    pods: () => json('pods'),
    health: () => json('health'),
    ready: () => json('ready'),
  };
}
