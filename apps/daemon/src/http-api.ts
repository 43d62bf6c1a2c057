import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, parseHistoryLimit, parseHistorySince, parseTelemetryRange, routes, type ApiResponses, type RouteName, type TelemetryRange } from '@gov/api';
import { isAuthorized } from '@gov/api/node';
import { ASSET_PREFIX, type StaticReply } from './control-center.js';
import type { ProbeAnswer } from './health.js';

/** Largest request body the API reads; anything longer is answered 413. */
export const MAX_BODY_BYTES = 64 * 1024;
/** A body longer than this is not even drained: the connection is dropped after the 413. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;
/** Deepest JSON nesting a body may have: no request of the API nests more than a few levels. */
export const MAX_BODY_DEPTH = 64;

/** A parsed request body: the JSON value, or the raw text for non-JSON content types. */
export interface RequestBody {
  contentType: string;
  json: unknown;
  text: string;
}

/**
 * What the HTTP routes call; the daemon implements it with the answers of the contract
 * (`ApiResponses` of `@gov/api`). The routing itself never looks into an answer, so it takes
 * any (`RoutedApi`): routing tests pass an in-memory one with placeholder answers.
 */
export interface DaemonApi<A extends Record<RouteName, unknown> = ApiResponses> {
  status(): A['status'];
  /** The last `limit` records, of those at or after `sinceMs` when it is not `null`. */
  history(limit: number, sinceMs: number | null): Promise<A['history']>;
  telemetry(range: TelemetryRange): A['telemetry'];
  metrics(): Promise<{ contentType: string; body: string }>;
  config(): Promise<A['config']>;
  updateConfig(body: RequestBody): Promise<A['updateConfig']>;
  reclaim(body: RequestBody): Promise<A['reclaim']>;
  feedback(body: RequestBody): Promise<A['feedback']>;
  /** Starts the learned advisor over (`gov learn reset`). */
  learnReset(): Promise<A['learnReset']>;
  /** The containers of the last listing, or of one made now when none is recent. */
  containers(): Promise<A['containers']>;
  pauseContainer(body: RequestBody): Promise<A['pauseContainer']>;
  unpauseContainer(body: RequestBody): Promise<A['unpauseContainer']>;
  configSchema(): A['configSchema'];
  /** The Control Center page, with its security headers. */
  controlCenter(acceptsGzip: boolean): Promise<StaticReply>;
  /** One of the page's hashed assets (`/assets/<name>`); `null`: no such file. */
  controlCenterAsset(name: string, acceptsGzip: boolean): Promise<StaticReply | null>;
  /** The pods of the last listing, or of one made now when none is recent. */
  pods(): Promise<A['pods']>;
  /** Liveness (`/healthz`): 200 while the loop ticks, 503 once it is stale. */
  health(): ProbeAnswer<A['health']>;
  /** Readiness (`/readyz`): 200 while the sources answer, 503 before the first snapshot or while one fails. */
  ready(): ProbeAnswer<A['ready']>;
}

/** A `DaemonApi` with answers of any shape: all the routing needs. */
export type RoutedApi = DaemonApi<Record<RouteName, unknown>>;

export interface ApiHandlerOptions {
  token: string;
  /**
   * Host header values accepted (e.g. `127.0.0.1:7878`, `localhost:7878`); a request naming
   * another host is refused, which stops DNS-rebinding pages from reading a loopback daemon.
   * Omitted: any host.
   */
  allowedHosts?: readonly string[];
  onError?: (error: unknown, request: { method: string; path: string }) => void;
  /** While true (govd is stopping), a new request is answered 503 and nothing runs. */
  isStopping?: () => boolean;
}

type Handler = (req: IncomingMessage, url: URL) => Promise<Reply>;
interface Reply {
  status: number;
  contentType: string;
  body: string | Buffer;
  /** Replace the defaults (`cache-control: no-store`, …) or add to them. */
  headers?: Record<string, string>;
}
interface Route {
  mutating: boolean;
  handle: Handler;
}

const json = (value: unknown, status = 200): Reply => ({ status, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(value)}\n` });
const probe = ({ passing, answer }: ProbeAnswer<unknown>): Reply => json(answer, passing ? 200 : 503);

const tooLarge = () => new ApiError(413, 'GOV_HTTP_BODY_TOO_LARGE', `the request body is over ${MAX_BODY_BYTES} bytes`, { limitBytes: MAX_BODY_BYTES });

/** Whether JSON text nests arrays and objects deeper than `limit`; a scan, so it never recurses. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

/**
 * Reads a request body of at most `MAX_BODY_BYTES`. A body declared longer is answered 413 at
 * once, without waiting for it; one that turns out longer is drained (up to a bound) before the
 * 413, so the client reads the answer instead of a reset connection. JSON nested deeper than
 * `MAX_BODY_DEPTH` is refused before it is parsed.
 */
export async function readBody(req: IncomingMessage): Promise<RequestBody> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) break;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
  } catch (error) {
    // The client went away (or the server's request timeout cut it off): its fault, not govd's.
    if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') throw new ApiError(400, 'GOV_HTTP_ABORTED', 'the connection closed before the whole body arrived', undefined, { cause: error });
    throw error;
  }
  if (size > MAX_BODY_BYTES) throw tooLarge();
  const text = Buffer.concat(chunks).toString('utf8');
  const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? 'application/json';
  if (contentType !== 'application/json') return { contentType, json: undefined, text };
  if (text.trim() === '') throw new ApiError(400, 'GOV_HTTP_BAD_JSON', 'the request body is empty; send a JSON object');
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) throw new ApiError(400, 'GOV_HTTP_BAD_JSON', `the request body nests deeper than ${MAX_BODY_DEPTH} levels; no request of this API does`);
  try {
    return { contentType, json: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw new ApiError(400, 'GOV_HTTP_BAD_JSON', `the request body is not valid JSON: ${(error as Error).message}`, undefined, { cause: error });
  }
}

/** A body a JSON-only route takes: any other media type (a form post, text) is a 415. */
function jsonOnly(body: RequestBody): RequestBody {
  if (body.contentType === 'application/json') return body;
  throw new ApiError(415, 'GOV_HTTP_UNSUPPORTED_MEDIA_TYPE', `send the body as application/json, not ${body.contentType}`);
}

const acceptsGzip = (req: IncomingMessage) => /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));

function buildRoutes(api: RoutedApi): Map<string, Map<string, Route>> {
  const table = new Map<string, Map<string, Route>>();
  const handlers: Record<RouteName, Handler> = {
    controlCenter: async (req) => ({ status: 200, ...(await api.controlCenter(acceptsGzip(req))) }),
    status: async () => json(api.status()),
    history: async (_req, url) => json(await api.history(parseHistoryLimit(url.searchParams.get('limit')), parseHistorySince(url.searchParams.get('since')))),
    telemetry: async (_req, url) => json(api.telemetry(parseTelemetryRange(url.searchParams.get('range')))),
    metrics: async () => {
      const metrics = await api.metrics();
      return { status: 200, contentType: metrics.contentType, body: metrics.body };
    },
    config: async () => json(await api.config()),
    updateConfig: async (req) => json(await api.updateConfig(await readBody(req))),
    reclaim: async (req) => json(await api.reclaim(jsonOnly(await readBody(req)))),
    feedback: async (req) => json(await api.feedback(jsonOnly(await readBody(req)))),
    learnReset: async () => json(await api.learnReset()),
    containers: async () => json(await api.containers()),
    pauseContainer: async (req) => json(await api.pauseContainer(await readBody(req))),
    unpauseContainer: async (req) => json(await api.unpauseContainer(await readBody(req))),
    configSchema: async () => json(api.configSchema()),
    pods: async () => json(await api.pods()),
    health: async () => probe(api.health()),
    ready: async () => probe(api.ready()),
  };
  for (const [name, route] of Object.entries(routes) as [RouteName, (typeof routes)[RouteName]][]) {
    if (!table.has(route.path)) table.set(route.path, new Map());
    table.get(route.path)?.set(route.method, { mutating: route.mutating, handle: handlers[name] });
  }
  return table;
}

/** The page's hashed assets: served beside the route table, never behind the token. */
async function assetReply(api: RoutedApi, req: IncomingMessage, url: URL): Promise<Reply> {
  const name = url.pathname.slice(ASSET_PREFIX.length);
  const asset = await api.controlCenterAsset(name, acceptsGzip(req));
  if (!asset) throw new ApiError(404, 'GOV_HTTP_NOT_FOUND', `no asset ${url.pathname}`);
  return { status: 200, ...asset };
}

function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': String(Buffer.byteLength(reply.body)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
    ...extraHeaders,
  });
  res.end(reply.body);
}

function errorReply(error: unknown): Reply {
  if (error instanceof ApiError) {
    const base = { code: error.code, message: error.message };
    try {
      return json({ error: { ...base, ...(error.details === undefined ? {} : { details: error.details }) } }, error.status);
    } catch {
      // Details that cannot be written as JSON (too deep, a cycle) never cost the client its answer.
      return json({ error: base }, error.status);
    }
  }
  const coded = error as { code?: unknown; message?: unknown };
  return json({ error: { code: typeof coded?.code === 'string' ? coded.code : 'GOV_HTTP_INTERNAL', message: typeof coded?.message === 'string' ? coded.message : String(error) } }, 500);
}

/** The request's URL, or `null` when its target cannot be read as one. */
function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://govd.invalid');
  } catch {
    return null;
  }
}

/**
 * The `node:http` request listener of govd's API. Mutating routes need
 * `Authorization: Bearer <token>`; every error is answered with a JSON body
 * `{ error: { code, message, details? } }`.
 */
export function createApiHandler(api: RoutedApi, options: ApiHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const table = buildRoutes(api);
  const allowedHosts = options.allowedHosts ? new Set(options.allowedHosts.map((host) => host.toLowerCase())) : null;
  return (req, res) => {
    const method = req.method ?? 'GET';
    // The request target is whatever bytes a client sent: a target that is not a URL is
    // answered like every other bad request, never thrown out of the listener.
    const url = parseTarget(req.url);
    const handle = async (): Promise<Reply> => {
      if (!url) throw new ApiError(400, 'GOV_HTTP_BAD_TARGET', 'the request target is not a path such as /api/status');
      if (options.isStopping?.()) throw new ApiError(503, 'GOV_HTTP_STOPPING', 'govd is stopping; ask again once it has restarted');
      if (allowedHosts && !allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
        throw new ApiError(421, 'GOV_HTTP_BAD_HOST', `the Host header "${req.headers.host ?? ''}" does not name this daemon`);
      }
      if (method === 'GET' && url.pathname.startsWith(ASSET_PREFIX)) return assetReply(api, req, url);
      const byMethod = table.get(url.pathname);
      if (!byMethod) throw new ApiError(404, 'GOV_HTTP_NOT_FOUND', `no route ${url.pathname}`);
      const route = byMethod.get(method);
      if (!route) {
        throw new ApiError(405, 'GOV_HTTP_METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}; allowed: ${[...byMethod.keys()].join(', ')}`, { allow: [...byMethod.keys()] });
      }
      if (route.mutating && !isAuthorized(req.headers.authorization, options.token)) {
        throw new ApiError(401, 'GOV_HTTP_UNAUTHORIZED', 'this route needs "Authorization: Bearer <token>" with the token in the state directory');
      }
      return route.handle(req, url);
    };
    handle().then(
      (reply) => send(res, reply),
      async (error: unknown) => {
        const reply = errorReply(error);
        const path = url?.pathname ?? '(bad target)';
        if (reply.status >= 500) options.onError?.(error, { method, path });
        const headers: Record<string, string> = {};
        if (reply.status === 401) headers['www-authenticate'] = 'Bearer realm="govd"';
        if (reply.status === 405) headers['allow'] = [...(table.get(path)?.keys() ?? [])].join(', ');
        if (reply.status === 413) headers['connection'] = 'close';
        // A body still arriving would otherwise be parsed as the next request on this connection;
        // a request received whole (a GET, a body in the same packet, which the parser reaches
        // after this turn) keeps the connection for the next, pipelined or not.
        if (!req.complete) await new Promise((resolve) => setImmediate(resolve));
        if (!req.complete) {
          headers['connection'] = 'close';
          req.resume();
        }
        send(res, reply, headers);
      },
    );
  };
}
