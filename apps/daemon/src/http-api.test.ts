import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '@gov/api';
import { createApiHandler, MAX_BODY_BYTES, type RequestBody, type RoutedApi } from './http-api.js';

const TOKEN = 'a'.repeat(64);

function createFakeApi() {
  const calls: { route: string; body?: RequestBody; limit?: number; sinceMs?: number | null; range?: string }[] = [];
  const api: RoutedApi = {
    status: () => ({ policy: 'dynamic' }),
    history: async (limit, sinceMs) => {
      calls.push({ route: 'history', limit, ...(sinceMs === null ? {} : { sinceMs }) });
      return { records: [], skipped: 0 };
    },
    telemetry: (range) => {
      calls.push({ route: 'telemetry', range });
      return { snapshots: [] };
    },
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'gov_ticks 1\n' }),
    config: async () => ({ path: null, config: {} }),
    updateConfig: async (body) => {
      calls.push({ route: 'updateConfig', body });
      if ((body.json as { bad?: boolean }).bad) throw new ApiError(400, 'GOV_CONFIG_INVALID', 'invalid config', [{ path: 'governor.policy', value: 'x', message: 'no' }]);
      return { applied: true };
    },
    reclaim: async (body) => {
      calls.push({ route: 'reclaim', body });
      return { ok: true };
    },
    feedback: async () => {
      throw new Error('disk on fire');
    },
    learnReset: async () => {
      calls.push({ route: 'learnReset' });
      return { reset: true };
    },
    containers: async () => {
      calls.push({ route: 'containers' });
      return { available: false, error: 'no engine', sampledAt: null, containers: [] };
    },
    pauseContainer: async (body) => {
      calls.push({ route: 'pauseContainer', body });
      return { action: 'paused' };
    },
    unpauseContainer: async (body) => {
      calls.push({ route: 'unpauseContainer', body });
      return { action: 'unpaused' };
    },
    configSchema: () => ({ type: 'object' }),
    controlCenter: async (gzip) => ({ contentType: 'text/html; charset=utf-8', body: Buffer.from(gzip ? 'gz' : '<!doctype html><title>gov</title>'), headers: { 'x-frame-options': 'DENY', ...(gzip ? { 'content-encoding': 'gzip' } : {}) } }),
    controlCenterAsset: async (name) => (name === 'app-1234.js' ? { contentType: 'text/javascript; charset=utf-8', body: Buffer.from('void 0;'), headers: { 'cache-control': 'public, max-age=31536000, immutable' } } : null),
    pods: async () => ({ kubernetes: false, pods: [] }),
    health: () => ({ passing: true, answer: { status: 'ok' } }),
    ready: () => ({ passing: false, answer: { status: 'degraded' } }),
  };
  return { api, calls };
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function start(api: RoutedApi, options: { allowedHosts?: string[] } = {}) {
  const errors: unknown[] = [];
  server = createServer(createApiHandler(api, { token: TOKEN, onError: (error) => errors.push(error), ...options }));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, errors };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('govd HTTP routing', () => {
  it('serves the read-only routes without a token', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    const status = await fetch(`${base}/api/status`);
    expect(status.status).toBe(200);
    expect(status.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await status.json()).toEqual({ policy: 'dynamic' });
    const history = await fetch(`${base}/api/history?limit=7`);
    expect(await history.json()).toEqual({ records: [], skipped: 0 });
    expect(calls).toEqual([{ route: 'history', limit: 7 }]);
    const metrics = await fetch(`${base}/metrics`);
    expect([metrics.status, metrics.headers.get('content-type'), await metrics.text()]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8', 'gov_ticks 1\n']);
    const page = await fetch(`${base}/`, { headers: { 'accept-encoding': 'identity' } });
    expect([page.status, page.headers.get('content-type'), page.headers.get('x-frame-options'), await page.text()]).toEqual([200, 'text/html; charset=utf-8', 'DENY', '<!doctype html><title>gov</title>']);
    expect(await (await fetch(`${base}/api/config/schema`)).json()).toEqual({ type: 'object' });
  });

  it('serves the page\'s assets with their own headers, gzip when asked, and 404 for any other name', async () => {
    const { api } = createFakeApi();
    const { base } = await start(api);
    const asset = await fetch(`${base}/assets/app-1234.js`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control'), asset.headers.get('x-content-type-options'), await asset.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable', 'nosniff', 'void 0;']);
    for (const path of ['/assets/app-9999.js', '/assets/../api/status', '/assets/']) {
      const missing = await fetch(`${base}${path}`);
      expect([path, missing.status]).toEqual([path, path === '/assets/../api/status' ? 200 : 404]);
    }
    const raw = await sendRaw(base, 'GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-encoding: gzip\r\n[\s\S]*\r\n\r\ngz$/);
  });

  it('passes the chart\'s queries (history since, telemetry range) and the container bodies to the routes', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    await fetch(`${base}/api/history?limit=50&since=2026-11-22T02:00:00Z`);
    await fetch(`${base}/api/telemetry?range=week`);
    await fetch(`${base}/api/telemetry`);
    const bad = await fetch(`${base}/api/telemetry?range=year`);
    expect([bad.status, ((await bad.json()) as { error: { code: string } }).error.code]).toEqual([400, 'GOV_HTTP_BAD_QUERY']);
    expect((await fetch(`${base}/api/containers/pause`, { method: 'POST', body: '{"name":"web"}' })).status).toBe(401);
    await fetch(`${base}/api/containers/pause`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"web"}' });
    await fetch(`${base}/api/containers/unpause`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"web"}' });
    expect(calls.map(({ body, ...call }) => ({ ...call, ...(body ? { json: body.json } : {}) }))).toEqual([
      { route: 'history', limit: 50, sinceMs: Date.parse('2026-11-22T02:00:00Z') },
      { route: 'telemetry', range: 'week' },
      { route: 'telemetry', range: 'day' },
      { route: 'pauseContainer', json: { name: 'web' } },
      { route: 'unpauseContainer', json: { name: 'web' } },
    ]);
  });

  it('answers the probes 200 when passing and 503 with the same body shape when failing', async () => {
    const { base } = await start(createFakeApi().api);
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, ready.headers.get('content-type'), await ready.json()]).toEqual([503, 'application/json; charset=utf-8', { status: 'degraded' }]);
  });

  it('defaults the history limit to 100 and refuses a bad one with 400', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    await fetch(`${base}/api/history`);
    expect(calls).toEqual([{ route: 'history', limit: 100 }]);
    for (const limit of ['0', '-3', 'ten', '10001', '2.5']) {
      const response = await fetch(`${base}/api/history?limit=${limit}`);
      expect([response.status, await response.json()]).toEqual([400, { error: { code: 'GOV_HTTP_BAD_QUERY', message: `limit: "${limit}" is not a whole number from 1 to 10000` } }]);
    }
  });

  it('answers 401 with a JSON body to a mutating route without the right bearer token, and never calls it', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    const unauthorized = { error: { code: 'GOV_HTTP_UNAUTHORIZED', message: 'this route needs "Authorization: Bearer <token>" with the token in the state directory' } };
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }] as Record<string, string>[]) {
      for (const [method, path] of [['PUT', '/api/config'], ['POST', '/api/reclaim'], ['POST', '/api/feedback'], ['POST', '/api/learn/reset']] as const) {
        const response = await fetch(`${base}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
        expect([response.status, response.headers.get('www-authenticate'), await response.json()]).toEqual([401, 'Bearer realm="govd"', unauthorized]);
      }
    }
    expect(calls).toEqual([]);
  });

  it('passes an authorised JSON body to the route', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    const response = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json; charset=utf-8' }, body: '{"method":"drop_caches","level":1}' });
    expect([response.status, await response.json()]).toEqual([200, { ok: true }]);
    expect(calls).toEqual([{ route: 'reclaim', body: { contentType: 'application/json', json: { method: 'drop_caches', level: 1 }, text: '{"method":"drop_caches","level":1}' } }]);
  });

  it('passes a non-JSON body as text', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    await fetch(`${base}/api/config`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/toml' }, body: '[governor]\npolicy = "aggressive"\n' });
    expect(calls).toEqual([{ route: 'updateConfig', body: { contentType: 'application/toml', json: undefined, text: '[governor]\npolicy = "aggressive"\n' } }]);
  });

  it('answers bad JSON with 400 and the parser reason', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    const bad = '{"method": drop_caches}';
    const reason = (() => {
      try {
        JSON.parse(bad);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const response = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: bad });
    expect([response.status, await response.json()]).toEqual([400, { error: { code: 'GOV_HTTP_BAD_JSON', message: `the request body is not valid JSON: ${reason}` } }]);
    expect(reason).toMatch(/^Unexpected token 'd'/);
    const empty = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '' });
    expect([empty.status, await empty.json()]).toEqual([400, { error: { code: 'GOV_HTTP_BAD_JSON', message: 'the request body is empty; send a JSON object' } }]);
    expect(calls).toEqual([]);
  });

  it('answers a body over 64 KiB with 413, whether declared or streamed, and one of exactly 64 KiB normally', async () => {
    const { api, calls } = createFakeApi();
    const { base } = await start(api);
    const tooLarge = { error: { code: 'GOV_HTTP_BODY_TOO_LARGE', message: 'the request body is over 65536 bytes', details: { limitBytes: MAX_BODY_BYTES } } };
    const declared = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: `"${'x'.repeat(MAX_BODY_BYTES - 1)}"` });
    expect([declared.status, await declared.json()]).toEqual([413, tooLarge]);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(4096)));
        controller.close();
      },
    });
    const streamed = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
    expect([streamed.status, await streamed.json()]).toEqual([413, tooLarge]);
    const exact = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: `"${'x'.repeat(MAX_BODY_BYTES - 2)}"` });
    expect(exact.status).toBe(200);
    expect(calls.map((call) => [call.route, call.body?.text.length])).toEqual([['reclaim', MAX_BODY_BYTES]]);
  });

  it('checks the token before reading the body, so an anonymous 1 MiB body gets 401', async () => {
    const { api } = createFakeApi();
    const { base } = await start(api);
    const response = await fetch(`${base}/api/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024) });
    expect(response.status).toBe(401);
  });

  it('answers an unknown path with 404 and a wrong method with 405 naming the allowed ones', async () => {
    const { api } = createFakeApi();
    const { base } = await start(api);
    const missing = await fetch(`${base}/api/nothing`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: { code: 'GOV_HTTP_NOT_FOUND', message: 'no route /api/nothing' } }]);
    const wrong = await fetch(`${base}/api/config`, { method: 'DELETE', headers: auth });
    expect([wrong.status, wrong.headers.get('allow'), await wrong.json()]).toEqual([
      405,
      'GET, PUT',
      { error: { code: 'GOV_HTTP_METHOD_NOT_ALLOWED', message: 'DELETE is not allowed on /api/config; allowed: GET, PUT', details: { allow: ['GET', 'PUT'] } } },
    ]);
  });

  it('passes an HttpError through with its status and details, and hides nothing of a crash but reports it', async () => {
    const { api } = createFakeApi();
    const { base, errors } = await start(api);
    const invalid = await fetch(`${base}/api/config`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{"bad":true}' });
    expect([invalid.status, await invalid.json()]).toEqual([400, { error: { code: 'GOV_CONFIG_INVALID', message: 'invalid config', details: [{ path: 'governor.policy', value: 'x', message: 'no' }] } }]);
    const crash = await fetch(`${base}/api/feedback`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"kind":"ok"}' });
    expect([crash.status, await crash.json()]).toEqual([500, { error: { code: 'GOV_HTTP_INTERNAL', message: 'disk on fire' } }]);
    expect(errors).toEqual([new Error('disk on fire')]);
  });

  it('refuses a Host header it does not serve (DNS rebinding)', async () => {
    const { api } = createFakeApi();
    const probe = await start(api);
    const port = new URL(probe.base).port;
    await new Promise((resolve) => server?.close(resolve));
    const { base } = await start(api, { allowedHosts: [`127.0.0.1:${port}`] });
    const actualPort = new URL(base).port;
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: actualPort, path: '/api/status', headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });
});

describe('govd HTTP body handling, for any body', () => {
  it('answers 200 exactly when the body is JSON, else 400 with the parser reason; never 500', async () => {
    const fc = await import('fast-check');
    const { api } = createFakeApi();
    const { base, errors } = await start(api);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.json({ maxDepth: 3 })), async (body) => {
        const response = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
        let parses = body.trim() !== '';
        try {
          JSON.parse(body);
        } catch {
          parses = false;
        }
        const answer = (await response.json()) as { error?: { code: string } };
        expect([response.status, answer.error?.code]).toEqual(parses ? [200, undefined] : [400, 'GOV_HTTP_BAD_JSON']);
      }),
      { numRuns: 150 },
    );
    expect(errors).toEqual([]);
  });
});

/** Sends raw bytes on a fresh connection and resolves to everything the server wrote back. */
async function sendRaw(base: string, bytes: string | Buffer): Promise<string> {
  const { port, hostname } = new URL(base);
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(5000, () => socket.destroy());
    socket.end(bytes);
  });
}

describe('govd HTTP request targets', () => {
  it('answers 400 to a request target that is not a URL, and keeps serving', async () => {
    const { api } = createFakeApi();
    const { base, errors } = await start(api);
    for (const target of ['//[', 'http://[', 'http://a:99999/', 'http://[::1', 'http://0x100000000/']) {
      const answer = await sendRaw(base, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect([target, answer.split('\r\n')[0]]).toEqual([target, 'HTTP/1.1 400 Bad Request']);
      expect(answer).toContain('"code":"GOV_HTTP_BAD_TARGET"');
    }
    const status = await fetch(`${base}/api/status`);
    expect(status.status).toBe(200);
    expect(errors).toEqual([]);
  });
});

describe('govd HTTP, for any request line', () => {
  it('answers every request line or closes the connection, and stays up', async () => {
    const fc = await import('fast-check');
    const { api } = createFakeApi();
    const { base, errors } = await start(api);
    const token = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.constantFrom('/', '//', '[', ']', '%', '%zz', '?', '#', ':', '@', 'http://', '\\\\', '..', '\u0000'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'X'), fc.array(token, { maxLength: 6 }), async (method, parts) => {
        const answer = await sendRaw(base, `${method} ${parts.join('')} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        // Either an HTTP answer or a closed connection (Node's parser refuses some bytes itself).
        expect(answer === '' || answer.startsWith('HTTP/1.1 ')).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect((await fetch(`${base}/api/status`)).status).toBe(200);
    expect(errors).toEqual([]);
  });
});
