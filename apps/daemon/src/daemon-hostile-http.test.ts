import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcess, type InProcessDaemon } from './test-daemon.js';

let govd: InProcessDaemon | undefined;
afterEach(async () => {
  await govd?.cleanup();
  govd = undefined;
});

/**
 * Writes `head` on a fresh connection, keeps it open, and resolves with the first answer the
 * server writes (or `''` when it closes without one). Rejects after `waitMs` with no answer: a
 * server that waits for a body that never comes.
 */
function firstAnswer(base: string, head: string, waitMs = 10_000): Promise<string> {
  const { port, hostname } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${waitMs} ms; got ${JSON.stringify(text)}`));
    }, waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const [headers, body = ''] = text.split('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(headers ?? '')?.[1];
      if (length !== undefined && Buffer.byteLength(body, 'latin1') >= Number(length)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.write(head);
  });
}

const statusLine = (answer: string) => answer.split('\r\n')[0];
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };

describe('govd and hostile HTTP bodies', () => {
  it('answers a 30 000-deep JSON array on PUT /api/config with 400, and keeps serving', async () => {
    govd = await startInProcess();
    const body = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const response = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: govd.auth, body });
    expect([response.status, await response.json()]).toEqual([400, { error: { code: 'GOV_HTTP_BAD_JSON', message: 'the request body nests deeper than 64 levels; no request of this API does' } }]);
    expect((await fetch(`${govd.base}/api/status`)).status).toBe(200);
  });

  it('answers a 10 000-deep JSON object on PUT /api/config with 400, not 500', async () => {
    govd = await startInProcess();
    const body = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const response = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: govd.auth, body });
    expect([response.status, await response.json()]).toEqual([400, { error: { code: 'GOV_HTTP_BAD_JSON', message: 'the request body nests deeper than 64 levels; no request of this API does' } }]);
    expect(govd.logs.filter((log) => log.level === 'error')).toEqual([]);
  });

  it('answers a config nested deeper than a config but within the JSON bound with the config problem', async () => {
    govd = await startInProcess();
    const body = `{"governor":${'{"a":'.repeat(30)}1${'}'.repeat(30)}}`;
    const response = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: govd.auth, body });
    const answer = (await response.json()) as { error: { code: string; details: unknown } };
    expect([response.status, answer.error.code, answer.error.details]).toEqual([400, 'GOV_CONFIG_INVALID', [{ path: `governor${'.a'.repeat(16)}`, message: "nested more than 16 levels deep; a config's tables nest three deep" }]]);
  });

  it('refuses a state_dir with a NUL byte, or a relative one, on PUT /api/config, as JSON or TOML', async () => {
    govd = await startInProcess();
    const json = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: govd.auth, body: JSON.stringify({ daemon: { state_dir: '/var/lib/gov\0x' } }) });
    expect([json.status, ((await json.json()) as { error: { details: unknown } }).error.details]).toEqual([400, [{ path: 'daemon.state_dir', value: '/var/lib/gov\0x', message: '"/var/lib/gov\\u0000x" contains a NUL byte; a path cannot' }]]);
    const toml = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: { ...govd.auth, 'content-type': 'application/toml' }, body: '[daemon]\nstate_dir = "relative/state"\n' });
    expect([toml.status, ((await toml.json()) as { error: { code: string } }).error.code]).toEqual([400, 'GOV_CONFIG_INVALID']);
  });

  it('answers Content-Length: 1000000000 with no body by 413 at once', async () => {
    govd = await startInProcess();
    const answer = await firstAnswer(govd.base, `POST /api/reclaim HTTP/1.1\r\nHost: ${new URL(govd.base).host}\r\nAuthorization: ${govd.auth['authorization']}\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n`);
    expect([statusLine(answer), bodyOf(answer).error.code]).toEqual(['HTTP/1.1 413 Payload Too Large', 'GOV_HTTP_BODY_TOO_LARGE']);
  });

  it('answers Content-Length: 1e9 (not a number) with 400 at once', async () => {
    govd = await startInProcess();
    const answer = await firstAnswer(govd.base, `POST /api/reclaim HTTP/1.1\r\nHost: ${new URL(govd.base).host}\r\nAuthorization: ${govd.auth['authorization']}\r\nContent-Length: 1e9\r\n\r\n`);
    expect(statusLine(answer)).toBe('HTTP/1.1 400 Bad Request');
  });

  it('answers a form-encoded reclaim with 415 naming the media type it takes', async () => {
    govd = await startInProcess();
    const response = await fetch(`${govd.base}/api/reclaim`, { method: 'POST', headers: { authorization: govd.auth['authorization'] as string, 'content-type': 'application/x-www-form-urlencoded' }, body: 'method=full' });
    expect([response.status, await response.json()]).toEqual([415, { error: { code: 'GOV_HTTP_UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json, not application/x-www-form-urlencoded' } }]);
    const feedback = await fetch(`${govd.base}/api/feedback`, { method: 'POST', headers: { authorization: govd.auth['authorization'] as string, 'content-type': 'text/plain' }, body: 'slow' });
    expect(feedback.status).toBe(415);
  });
});
