import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTally } from '../../../tools/test-support/tally.js';
import { startInProcess, type InProcessDaemon } from './test-daemon.js';

// The hostile-input suite, HTTP part: whatever bytes a local client sends, govd answers (or
// closes the connection), never with a 5xx, and keeps serving. Counts are printed at the end.

const tally = createTally('http');
const LIMITS = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, checkIntervalMs: 100, keepAliveTimeoutMs: 1000, maxConnections: 64 };
let govd: InProcessDaemon;
let host: string;

beforeAll(async () => {
  govd = await startInProcess('[governor]\nenabled = false\n', { apiLimits: LIMITS });
  host = new URL(govd.base).host;
});
afterAll(async () => {
  await govd.cleanup();
  tally.report();
});

/**
 * Connects, writes `bytes`, and resolves with all the server wrote before it closed. `halfClose`
 * ends the client's side at once (Node's server then drops requests it has not answered yet, as
 * for a client that went away); without it the bytes must make the server close (`Connection:
 * close`, an error, or its timeouts).
 */
function exchange(bytes: string | Uint8Array, waitMs = 5000, halfClose = true): Promise<string> {
  const { port, hostname } = new URL(govd.base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server neither answered nor closed within ${waitMs} ms`));
    }, waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

/** Every status code in what the server wrote, in order. */
const statusCodes = (answer: string) => [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));

/** The server answered with no 5xx (or closed without answering), and is still up. */
async function assertSurvived(answer: string): Promise<void> {
  expect(answer === '' || answer.startsWith('HTTP/1.1 ')).toBe(true);
  expect(statusCodes(answer).filter((code) => code >= 500)).toEqual([]);
}

const errorLogs = () => govd.logs.filter((log) => log.level === 'error');
const request = (method: string, path: string, headers: Record<string, string> = {}, body = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${Object.entries({ ...headers, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n${body}`;

describe('hostile HTTP', () => {
  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), (bytes) => tally.check('http: random bytes', async () => assertSurvived(await exchange(bytes)))),
      { numRuns: 300 },
    );
    expect((await fetch(`${govd.base}/api/status`)).status).toBe(200);
  });

  it('random request lines', async () => {
    const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'CONNECT', 'TRACE', 'PATCH'), fc.string({ unit: 'binary-ascii', maxLength: 12 }));
    const piece = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 30 }), fc.constantFrom('/', '//', '/api/status', '/api/history?limit=', '%00', '%zz', '?', '#', '[', 'http://', '*', '..', '\\'));
    await fc.assert(
      fc.asyncProperty(method, fc.array(piece, { maxLength: 6 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.1 x', ''), (verb, parts, version) =>
        tally.check('http: request lines', async () => assertSurvived(await exchange(`${verb} ${parts.join('')} ${version}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`))),
      ),
      { numRuns: 300 },
    );
  });

  it('random and huge headers', async () => {
    const name = fc.oneof(fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'Authorization', 'Content-Type', 'Connection', 'Expect', 'X-Forwarded-For'), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 20 }));
    const value = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 60 }), fc.constantFrom('chunked', '-1', '1e9', '99999999999999999999', 'Bearer', '100-continue', 'close'), fc.integer({ min: 1, max: 64 }).map((kib) => 'v'.repeat(kib * 1024)));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 8 }), fc.constantFrom('GET /api/status', 'POST /api/reclaim', 'PUT /api/config'), (headers, line) =>
        tally.check('http: headers', async () => {
          const answer = await exchange(`${line} HTTP/1.1\r\nHost: ${host}\r\n${headers.map(([key, text]) => `${key}: ${text}\r\n`).join('')}Connection: close\r\n\r\n`);
          await assertSurvived(answer);
          // Headers over 16 KiB are refused, never read into memory whole.
          if (headers.reduce((sum, [key, text]) => sum + key.length + text.length, 0) > 16 * 1024) expect(statusCodes(answer).slice(0, 1)).toEqual(expect.arrayContaining([expect.any(Number)]));
        }),
      ),
      { numRuns: 200 },
    );
    const huge = await exchange(request('GET', '/api/status', { 'X-Huge': 'h'.repeat(20 * 1024) }));
    expect(statusCodes(huge)).toEqual([431]);
  });

  it('random bodies on every mutating route, with the token', async () => {
    const body = fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constantFrom('{}', '[]', 'null', '{"method":"full"}', '{"kind":"ok"}', '[governor]\npolicy = "aggressive"\n', '{"__proto__":{"x":1}}', `${'['.repeat(5000)}${']'.repeat(5000)}`));
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/toml', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');
    const route = fc.constantFrom('POST /api/reclaim', 'POST /api/feedback', 'PUT /api/config', 'POST /api/learn/reset');
    await fc.assert(
      fc.asyncProperty(route, contentType, body, (line, type, text) =>
        tally.check('http: bodies', async () => {
          const [method, path] = line.split(' ') as [string, string];
          const answer = await exchange(request(method, path, { Authorization: govd.auth['authorization'] as string, Connection: 'close', ...(type ? { 'Content-Type': type } : {}) }, text), 5000, false);
          await assertSurvived(answer);
          expect(statusCodes(answer)).toHaveLength(1);
        }),
      ),
      { numRuns: 300 },
    );
    expect(errorLogs()).toEqual([]);
  });

  it('pipelined requests, with a bad one anywhere', async () => {
    const good = fc.constantFrom(
      { text: request('GET', '/api/status'), status: 200 },
      { text: request('GET', '/api/history?limit=3'), status: 200 },
      { text: request('GET', '/nope'), status: 404 },
      { text: request('POST', '/api/feedback', { Authorization: govd.auth['authorization'] as string, 'Content-Type': 'application/json' }, '{"kind":"ok"}'), status: 200 },
      { text: request('POST', '/api/feedback', { 'Content-Type': 'application/json' }, '{"kind":"ok"}'), status: 401 },
      { text: request('GET', '/api/history?limit=0'), status: 400 },
    );
    const last = { text: request('GET', '/api/status', { Connection: 'close' }), status: 200 };
    await fc.assert(
      fc.asyncProperty(fc.array(good, { minLength: 1, maxLength: 8 }), fc.option(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }), { nil: null }), (requests, garbage) =>
        tally.check('http: pipelining', async () => {
          const pipeline = [...requests, last];
          const answer = await exchange(`${requests.map((item) => item.text).join('')}${garbage ?? ''}${last.text}`, 10_000, false);
          await assertSurvived(answer);
          const codes = statusCodes(answer);
          if (garbage === null) expect(codes).toEqual(pipeline.map((item) => item.status));
          // Garbage ends the pipeline: what was answered before it is in order, then at most one 400.
          else expect(codes).toEqual([...pipeline.map((item) => item.status).slice(0, codes.at(-1) === 400 ? codes.length - 1 : codes.length), ...(codes.at(-1) === 400 ? [400] : [])]);
        }),
      ),
      { numRuns: 100 },
    );
  });

  it('slowloris: partial requests are cut off at the server timeout, while others are served', { timeout: 15_000 }, async () => {
    const { port, hostname } = new URL(govd.base);
    const partial = [
      `GET /api/status HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `,
      `POST /api/feedback HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${govd.auth['authorization']}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kind":`,
      'GET /api/sta',
    ];
    const slow = Array.from({ length: 24 }, (_, n) =>
      tally.check('http: slowloris', () => {
        const socket: Socket = connect(Number(port), hostname);
        const chunks: Buffer[] = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('error', () => undefined);
        socket.write(partial[n % partial.length] as string);
        // One more byte now and then: never a whole request.
        const drip = setInterval(() => socket.write('a'), 150);
        return new Promise<string>((resolve, reject) => {
          const giveUp = setTimeout(() => reject(new Error('a slow client was never cut off')), 8000);
          socket.on('close', () => {
            clearInterval(drip);
            clearTimeout(giveUp);
            resolve(Buffer.concat(chunks).toString('latin1'));
          });
        }).then((answer) => expect(statusCodes(answer).filter((code) => code !== 408)).toEqual([]));
      }),
    );
    // Served meanwhile.
    expect((await fetch(`${govd.base}/api/status`)).status).toBe(200);
    await Promise.all(slow);
  });

  it('a flood of idle connections: those beyond the limit are closed, and the API answers once they go', async () => {
    const { port, hostname } = new URL(govd.base);
    const sockets = Array.from({ length: 150 }, () => connect(Number(port), hostname).on('error', () => undefined));
    const closedByServer = await Promise.all(
      sockets.map((socket) =>
        tally.check(
          'http: connection flood',
          () =>
            new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), 500);
              socket.once('close', () => {
                clearTimeout(timer);
                resolve(true);
              });
            }),
        ),
      ),
    );
    expect(closedByServer.filter(Boolean).length).toBeGreaterThanOrEqual(150 - LIMITS.maxConnections);
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => setTimeout(done, 100));
    expect((await fetch(`${govd.base}/api/status`)).status).toBe(200);
    expect(errorLogs()).toEqual([]);
  });
});
