/** The part of a store the guard reads: both `createBufferStore` and `createGasolineStore` fit. */
export interface IngestGuardStore {
  isMemoryExceeded(): boolean;
}

/** What the guard needs of a request: `node:http`'s `IncomingMessage` fits, so does a plain object. */
export interface IngestRequest {
  method?: string | undefined;
  url?: string | undefined;
}

/** What the guard writes to: `node:http`'s `ServerResponse` fits. */
export interface IngestResponse {
  writeHead(statusCode: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

export interface IngestRejectionBody {
  error: 'memory_exceeded';
  reason: string;
  retry_after_seconds: number;
}

/** A ready 429 answer for any framework: status, headers and JSON body. */
export interface IngestRejection {
  status: 429;
  headers: { 'Retry-After': string; 'Content-Type': 'application/json; charset=utf-8' };
  body: string;
  reason: IngestRejectionBody;
}

export interface IngestGuardOptions {
  store: IngestGuardStore;
  /** Request paths (query string ignored) that carry network bodies. Default `['/network-bodies']`. */
  paths?: readonly string[];
  /** Default `['POST']`. */
  methods?: readonly string[];
  /** Sent as `Retry-After`; default 10, the store's default check interval. */
  retryAfterSeconds?: number;
}

export interface IngestGuard {
  /** The 429 to send for this request, or `null` to let it through. */
  check(request: IngestRequest): IngestRejection | null;
  /** For `node:http` handlers: answers 429 and returns true when the request is refused. */
  handle(request: IngestRequest, response: IngestResponse): boolean;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.search(/[?#]/);
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Refuses network-body uploads while the store is over its hard limit (its exceeded flag is
 * set), answering `429 Too Many Requests` with `Retry-After` and a JSON reason.
 */
export function createIngestGuard(options: IngestGuardOptions): IngestGuard {
  const paths = new Set(options.paths ?? ['/network-bodies']);
  const methods = new Set((options.methods ?? ['POST']).map((method) => method.toUpperCase()));
  const retryAfterSeconds = options.retryAfterSeconds ?? 10;
  if (!(Number.isSafeInteger(retryAfterSeconds) && retryAfterSeconds >= 0)) {
    throw new TypeError(`retryAfterSeconds: ${retryAfterSeconds} is not a non-negative integer`);
  }
  const reason: IngestRejectionBody = {
    error: 'memory_exceeded',
    reason: 'capture memory is over its hard limit; network bodies are refused until it drops back under',
    retry_after_seconds: retryAfterSeconds,
  };
  const body = JSON.stringify(reason);

  const check = (request: IngestRequest): IngestRejection | null => {
    if (!methods.has((request.method ?? 'GET').toUpperCase())) return null;
    if (!paths.has(pathOf(request.url))) return null;
    if (!options.store.isMemoryExceeded()) return null;
    return {
      status: 429,
      headers: { 'Retry-After': String(retryAfterSeconds), 'Content-Type': 'application/json; charset=utf-8' },
      body,
      reason: { ...reason },
    };
  };

  return {
    check,
    handle(request, response) {
      const rejection = check(request);
      if (rejection === null) return false;
      // The body is ASCII JSON, so its length in characters is its length in bytes.
      response.writeHead(rejection.status, { ...rejection.headers, 'Content-Length': String(rejection.body.length) });
      response.end(rejection.body);
      return true;
    },
  };
}

/** Wraps a `node:http` request listener so refused uploads never reach it. */
export function withIngestGuard<Request extends IngestRequest, Response extends IngestResponse>(
  guard: IngestGuard,
  listener: (request: Request, response: Response) => void,
): (request: Request, response: Response) => void {
  return (request, response) => {
    if (!guard.handle(request, response)) listener(request, response);
  };
}
