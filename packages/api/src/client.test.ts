import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultConfig } from '@gov/policies';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from './client.js';
import { ApiError, ApiUnreachableError } from './errors.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

/** A stand-in govd that records each request and answers with `reply`. */
async function startServer(reply: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      reply(req, res);
    });
  });
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const answer = (status: number, body: unknown, contentType = 'application/json') => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': contentType }).end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe('createApiClient', () => {
  it('sends the token to mutating routes only, and JSON bodies as JSON', async () => {
    const { base, seen } = await startServer(answer(200, { recorded: { kind: 'feedback', feedback: 'slow', note: 'builds crawl' } }));
    const client = createApiClient({ baseUrl: base, token: 'f00d' });
    expect(await client.feedback({ kind: 'slow', note: 'builds crawl' })).toEqual({ recorded: { kind: 'feedback', feedback: 'slow', note: 'builds crawl' } });
    await client.status();
    await client.history({ limit: 5 });
    await client.learnReset();
    await client.containers();
    expect(seen).toEqual([
      { method: 'POST', url: '/api/feedback', authorization: 'Bearer f00d', contentType: 'application/json', body: '{"kind":"slow","note":"builds crawl"}' },
      { method: 'GET', url: '/api/status', authorization: undefined, contentType: undefined, body: '' },
      { method: 'GET', url: '/api/history?limit=5', authorization: undefined, contentType: undefined, body: '' },
      { method: 'POST', url: '/api/learn/reset', authorization: 'Bearer f00d', contentType: undefined, body: '' },
      { method: 'GET', url: '/api/containers', authorization: undefined, contentType: undefined, body: '' },
    ]);
  });

  it('sends a config object as JSON and a string as TOML', async () => {
    const { base, seen } = await startServer(answer(200, { path: '/etc/gov/config.toml', config: defaultConfig, restartRequired: [] }));
    const client = createApiClient({ baseUrl: base, token: 't' });
    await client.updateConfig({ governor: { policy: 'aggressive' } });
    await client.updateConfig('[governor]\npolicy = "aggressive"\n');
    expect(seen.map(({ method, url, contentType, body }) => ({ method, url, contentType, body }))).toEqual([
      { method: 'PUT', url: '/api/config', contentType: 'application/json', body: '{"governor":{"policy":"aggressive"}}' },
      { method: 'PUT', url: '/api/config', contentType: 'application/toml', body: '[governor]\npolicy = "aggressive"\n' },
    ]);
  });

  it('resolves a probe\'s 503 to its answer, and still rejects an error body', async () => {
    const stale = { status: 'stale', ticks: 3, lastTickAt: '2026-01-28T10:00:00.000Z', ageSeconds: 200, maxAgeSeconds: 120 };
    const first = await startServer(answer(503, stale));
    expect(await createApiClient({ baseUrl: first.base }).health()).toEqual(stale);
    expect(first.seen.map(({ method, url }) => ({ method, url }))).toEqual([{ method: 'GET', url: '/healthz' }]);
    await new Promise((done) => server?.close(done));
    const second = await startServer(answer(503, { error: { code: 'GOV_HTTP_INTERNAL', message: 'overloaded' } }));
    await expect(createApiClient({ baseUrl: second.base }).ready()).rejects.toMatchObject({ status: 503, code: 'GOV_HTTP_INTERNAL' });
    await expect(createApiClient({ baseUrl: second.base }).status()).rejects.toBeInstanceOf(ApiError);
  });

  it('sends the container routes with the token, and the chart\'s queries encoded', async () => {
    const { base, seen } = await startServer(answer(200, {}));
    const client = createApiClient({ baseUrl: base, token: 't' });
    await client.pauseContainer({ name: 'web-1', dryRun: true });
    await client.unpauseContainer({ name: 'web-1' });
    await client.configSchema();
    await client.telemetry({ range: 'week' });
    await client.telemetry();
    await client.history({ limit: 500, since: '2026-11-22T02:00:00.000Z' });
    expect(seen.map(({ method, url, authorization, body }) => ({ method, url, authorization, body }))).toEqual([
      { method: 'POST', url: '/api/containers/pause', authorization: 'Bearer t', body: '{"name":"web-1","dryRun":true}' },
      { method: 'POST', url: '/api/containers/unpause', authorization: 'Bearer t', body: '{"name":"web-1"}' },
      { method: 'GET', url: '/api/config/schema', authorization: undefined, body: '' },
      { method: 'GET', url: '/api/telemetry?range=week', authorization: undefined, body: '' },
      { method: 'GET', url: '/api/telemetry', authorization: undefined, body: '' },
      { method: 'GET', url: '/api/history?limit=500&since=2026-11-22T02%3A00%3A00.000Z', authorization: undefined, body: '' },
    ]);
  });

  it('reads /metrics as text', async () => {
    const { base } = await startServer(answer(200, 'gov_ticks 1\n', 'text/plain; version=0.0.4'));
    expect(await createApiClient({ baseUrl: base }).metrics()).toBe('gov_ticks 1\n');
  });

  it('rejects with the ApiError govd answered: status, code, message and details', async () => {
    const { base } = await startServer(answer(400, { error: { code: 'GOV_HTTP_INVALID_BODY', message: 'invalid request body: level: too big', details: [{ path: 'level', message: 'too big' }] } }));
    const error = await createApiClient({ baseUrl: base, token: 't' }).reclaim({ level: 3 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'GOV_HTTP_INVALID_BODY', message: 'govd answered 400: invalid request body: level: too big', details: [{ path: 'level', message: 'too big' }] });
  });

  it('rejects an answer that is not JSON, naming the address', async () => {
    const { base } = await startServer(answer(502, '<html>bad gateway</html>', 'text/html'));
    await expect(createApiClient({ baseUrl: base }).status()).rejects.toEqual(new ApiError(502, 'GOV_API_BAD_ANSWER', `${base}/api/status answered 502 with something that is not govd's JSON`));
  });

  it('rejects with ApiUnreachableError when nothing listens, or nothing answers in time', async () => {
    const { base } = await startServer(() => undefined);
    const silent = await createApiClient({ baseUrl: base, timeoutMs: 50 }).status().catch((caught: unknown) => caught);
    expect(silent).toMatchObject({ name: 'ApiUnreachableError', code: 'GOV_API_UNREACHABLE', url: `${base}/api/status` });
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    server = undefined;
    const refused = await createApiClient({ baseUrl: base }).status().catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(ApiUnreachableError);
    expect((refused as ApiUnreachableError).message).toBe(`nothing answered at ${base}/api/status`);
  });

  it('passes any other failure of fetch through as it is', async () => {
    const failure = new TypeError('invalid header value');
    const client = createApiClient({ baseUrl: 'http://127.0.0.1:1', fetch: async () => Promise.reject(failure) });
    await expect(client.config()).rejects.toBe(failure);
  });
});
