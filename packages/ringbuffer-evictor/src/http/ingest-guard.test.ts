import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGasolineStore } from '../gasoline/index.js';
import { createIngestGuard, withIngestGuard } from './index.js';

const MIB = 1024 * 1024;

/** A store whose exceeded flag the test sets by ingesting past the hard limit. */
function createExceededStore() {
  const store = createGasolineStore({ limits: { softBytes: MIB, hardBytes: 2 * MIB, criticalBytes: 8 * MIB } });
  store.addNetworkBodies([{ responseBody: 'x'.repeat(3 * MIB) }]);
  store.addEnhancedActions([{}]);
  return store;
}

describe('createIngestGuard', () => {
  const servers: { close(): void }[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  async function serve(store: { isMemoryExceeded(): boolean }) {
    const guard = createIngestGuard({ store, retryAfterSeconds: 5 });
    const seen: string[] = [];
    const server = createServer(
      withIngestGuard<IncomingMessage, ServerResponse>(guard, (request, response) => {
        seen.push(`${request.method} ${request.url}`);
        request.resume();
        request.on('end', () => response.writeHead(204).end());
      }),
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { base: `http://127.0.0.1:${port}`, seen };
  }

  it('answers a network-body POST with 429, Retry-After and a JSON reason while over hard, from node:http', async () => {
    const store = createExceededStore();
    expect(store.isMemoryExceeded()).toBe(true);
    const { base, seen } = await serve(store);
    const response = await fetch(`${base}/network-bodies`, { method: 'POST', body: JSON.stringify([{ responseBody: 'hi' }]) });
    expect({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      body: await response.json(),
    }).toEqual({
      status: 429,
      retryAfter: '5',
      contentType: 'application/json; charset=utf-8',
      body: {
        error: 'memory_exceeded',
        reason: 'capture memory is over its hard limit; network bodies are refused until it drops back under',
        retry_after_seconds: 5,
      },
    });
    const other = await fetch(`${base}/enhanced-actions`, { method: 'POST', body: '[]' });
    expect(other.status).toBe(204);
    expect(seen).toEqual(['POST /enhanced-actions']);
  });

  it('lets network bodies through once the flag clears', async () => {
    let exceeded = false;
    const { base, seen } = await serve({ isMemoryExceeded: () => exceeded });
    expect((await fetch(`${base}/network-bodies`, { method: 'POST', body: '[]' })).status).toBe(204);
    exceeded = true;
    expect((await fetch(`${base}/network-bodies`, { method: 'POST', body: '[]' })).status).toBe(429);
    exceeded = false;
    expect((await fetch(`${base}/network-bodies?x=1`, { method: 'POST', body: '[]' })).status).toBe(204);
    expect(seen).toEqual(['POST /network-bodies', 'POST /network-bodies?x=1']);
  });

  it('matches configured paths and methods', () => {
    const guard = createIngestGuard({ store: { isMemoryExceeded: () => true }, paths: ['/ws', '/bodies'], methods: ['post', 'PUT'] });
    const verdicts = [
      { method: 'POST', url: '/ws' },
      { method: 'put', url: '/bodies#frag' },
      { method: 'POST', url: '/network-bodies' },
      { method: 'DELETE', url: '/ws' },
      {},
    ].map((request) => guard.check(request)?.status ?? 'pass');
    expect(verdicts).toEqual([429, 429, 'pass', 'pass', 'pass']);
  });

  it('refuses a Retry-After that is not a whole number of seconds', () => {
    expect(() => createIngestGuard({ store: { isMemoryExceeded: () => false }, retryAfterSeconds: 1.5 })).toThrow(
      'retryAfterSeconds: 1.5 is not a non-negative integer',
    );
  });
});
