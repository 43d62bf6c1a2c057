import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHistoryLine, parseHistory } from '@gov/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../main.js';
import { closedPort, writeDaemonConfig } from '../test-daemon.js';
import { createTestIo } from '../test-io.js';
import { createFeedbackCommand } from './feedback.js';

let home: string;
let stateDir: string;
let server: Server | undefined;

const writeConfig = (port: number) => writeDaemonConfig(home, stateDir, port);


/** A stand-in govd: answers /api/feedback like the real one, 401 without the token. */
async function startFakeGovd(token: string) {
  const requests: { authorization: string | undefined; body: string }[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ authorization: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'GOV_HTTP_UNAUTHORIZED', message: 'this route needs "Authorization: Bearer <token>" with the token in the state directory' } }));
        return;
      }
      const { kind, note } = JSON.parse(body) as { kind: string; note: string | null };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ recorded: { kind: 'feedback', feedback: kind, note } }));
    });
  });
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  return { port: (server.address() as AddressInfo).port, requests };
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'gov-feedback-'));
  stateDir = join(home, 'state');
});
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
  await rm(home, { recursive: true, force: true });
});

describe('gov feedback', () => {
  it('sends the feedback to govd with the token from the state directory', async () => {
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'token'), 'c0ffee'.repeat(8) + '\n', { mode: 0o600 });
    const { port, requests } = await startFakeGovd('c0ffee'.repeat(8));
    await writeConfig(port);
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['feedback', 'slow', '--note', 'builds crawl'], io)).toBe(0);
    expect(requests).toEqual([{ authorization: `Bearer ${'c0ffee'.repeat(8)}`, body: '{"kind":"slow","note":"builds crawl"}' }]);
    expect(stdout()).toBe(`Feedback "slow" sent to govd at http://127.0.0.1:${port}; the advisor weighs it against the actions just before now.\n`);
  });

  it('appends to the history file when govd is not running', async () => {
    await writeConfig(await closedPort());
    await mkdir(stateDir, { recursive: true });
    // A torn line from a crash must not swallow the new record.
    await writeFile(join(stateDir, 'history.jsonl'), '{"kind":"event","at":"2026');
    const command = createFeedbackCommand({ now: () => new Date('2026-01-28T10:05:00.000Z') });
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await command.run({ argv: ['ok', '--json'], io })).toBe(0);
    const record = { kind: 'feedback', at: '2026-01-28T10:05:00.000Z', feedback: 'ok', note: null };
    const path = join(stateDir, 'history.jsonl');
    expect(JSON.parse(stdout())).toEqual({ delivered: 'file', path, record });
    expect(await readFile(path, 'utf8')).toBe(`{"kind":"event","at":"2026\n${formatHistoryLine(record as never)}`);
    expect(parseHistory(await readFile(path, 'utf8'))).toEqual({ records: [record], skipped: 1 });
  });

  it('rotates the history file as govd would when the record would take it past history_max_mb', async () => {
    const port = await closedPort();
    await mkdir(join(home, '.config', 'gov'), { recursive: true });
    await writeFile(join(home, '.config', 'gov', 'config.toml'), `[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(stateDir)}\nhistory_max_mb = 1\n`);
    await mkdir(stateDir, { recursive: true });
    // One line 10 bytes short of 1 MiB: the feedback line does not fit beside it.
    const frame = formatHistoryLine({ kind: 'event', at: '2026-01-28T10:00:00.000Z', event: 'started', message: '' }).length;
    const old = formatHistoryLine({ kind: 'event', at: '2026-01-28T10:00:00.000Z', event: 'started', message: 'x'.repeat(1024 * 1024 - 10 - frame) });
    await writeFile(join(stateDir, 'history.jsonl'), old);
    const command = createFeedbackCommand({ now: () => new Date('2026-01-28T10:05:00.000Z') });
    expect(await command.run({ argv: ['slow'], io: createTestIo({ env: { HOME: home } }).io })).toBe(0);
    expect(await readFile(join(stateDir, 'history.jsonl.1'), 'utf8')).toBe(old);
    expect(await readFile(join(stateDir, 'history.jsonl'), 'utf8')).toBe(formatHistoryLine({ kind: 'feedback', at: '2026-01-28T10:05:00.000Z', feedback: 'slow', note: null }));
  });

  it('creates the state directory and history file 0600 when neither exists', async () => {
    await writeConfig(await closedPort());
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['feedback', 'slow'], io)).toBe(0);
    expect(stdout()).toBe(`govd is not running: feedback "slow" recorded in ${join(stateDir, 'history.jsonl')}. The advisor learns only from feedback given while govd runs.\n`);
    const { records } = parseHistory(await readFile(join(stateDir, 'history.jsonl'), 'utf8'));
    expect(records.map((record) => record.kind === 'feedback' && [record.feedback, record.note])).toEqual([['slow', null]]);
  });

  it('explains a 401 when the token file cannot be read', async () => {
    const { port } = await startFakeGovd('secret-token-0123456789');
    await writeConfig(port);
    const { io, stderr } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['feedback', 'ok'], io)).toBe(1);
    const tokenPath = join(stateDir, 'token');
    expect(stderr()).toBe(`gov: govd at http://127.0.0.1:${port} needs its API token, and ${tokenPath} cannot be read (ENOENT: no such file or directory, open '${tokenPath}'); run gov as the user govd runs as (e.g. with sudo)\n`);
  });

  it('reports a wrong token as govd answered it', async () => {
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'token'), 'stale-token-0123456789');
    await chmod(join(stateDir, 'token'), 0o600);
    const { port } = await startFakeGovd('fresh-token-0123456789');
    await writeConfig(port);
    const { io, stderr } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['feedback', 'ok'], io)).toBe(1);
    expect(stderr()).toBe('gov: govd answered 401: this route needs "Authorization: Bearer <token>" with the token in the state directory\n');
  });

  it.each([
    [[], 'gov: say how it went: slow or ok'],
    [['meh'], 'gov: "meh" is not slow or ok'],
    [['slow', 'because'], 'gov: unexpected argument "because"; put a note in --note "…"'],
  ])('refuses %j with exit 2', async (args, message) => {
    const { io, stderr } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['feedback', ...args], io)).toBe(2);
    expect(stderr()).toBe(`${message}\nusage: gov feedback slow|ok [--note TEXT] [--config PATH] [--json]\n`);
  });
});
