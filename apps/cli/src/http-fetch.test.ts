import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createApiClient } from '@gov/api';
import { closedPort } from './test-daemon.js';
import { httpFetch } from './http-fetch.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

async function serve(answer: (req: IncomingMessage, body: string) => { status: number; body: string }): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const reply = answer(req, body);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

it('carries the method, headers and body, and answers with the status and text', async () => {
  const base = await serve((req, body) => ({ status: req.method === 'POST' ? 202 : 404, body: JSON.stringify({ method: req.method, url: req.url, auth: req.headers['authorization'] ?? null, body }) }));
  const posted = await httpFetch(`${base}/api/feedback`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"kind":"ok"}' });
  expect([posted.ok, posted.status, JSON.parse(await posted.text())]).toEqual([true, 202, { method: 'POST', url: '/api/feedback', auth: 'Bearer t', body: '{"kind":"ok"}' }]);
  const missing = await httpFetch(`${base}/nope`);
  expect([missing.ok, missing.status]).toEqual([false, 404]);
});

it('serves as the API client\'s fetch: nobody answering is unreachable, an error answer is an ApiError', async () => {
  const refused = createApiClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, fetch: httpFetch, timeoutMs: 2000 });
  await expect(refused.status()).rejects.toMatchObject({ name: 'ApiUnreachableError' });
  const base = await serve(() => ({ status: 500, body: JSON.stringify({ error: { code: 'GOV_X', message: 'broke' } }) }));
  await expect(createApiClient({ baseUrl: base, fetch: httpFetch }).status()).rejects.toMatchObject({ name: 'ApiError', status: 500, code: 'GOV_X' });
});

it('gives up when its signal aborts', async () => {
  server = createServer(() => undefined);
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  const silent = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await expect(createApiClient({ baseUrl: silent, fetch: httpFetch, timeoutMs: 200 }).status()).rejects.toMatchObject({ name: 'ApiUnreachableError' });
  server.closeAllConnections();
});
