import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHistoryLine, type HistoryRecord } from '@gov/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../main.js';
import { closedPort, writeDaemonConfig } from '../test-daemon.js';
import { createTestIo } from '../test-io.js';

const reclaim: HistoryRecord = {
  kind: 'reclaim',
  at: '2026-01-28T10:00:00.000Z',
  policy: 'aggressive',
  code: 'host-pressure',
  reason: 'host 85% used, at or above the 80% threshold; reclaiming 1024 MiB',
  method: 'cgroup_reclaim',
  targetBytes: 1024 * 1024 * 1024,
  freedBytes: 734003200,
  durationMs: 120,
  dryRun: false,
  steps: [{ name: 'cgroup_reclaim', status: 'ok', durationMs: 118 }],
  advice: null,
};
const feedback: HistoryRecord = { kind: 'feedback', at: '2026-01-28T10:05:00.000Z', feedback: 'slow', note: 'builds crawl' };
const started: HistoryRecord = { kind: 'event', at: '2026-01-28T09:59:00.000Z', event: 'started', message: 'govd 0.0.0 started with policy aggressive' };

let home: string;
let stateDir: string;
let server: Server | undefined;

const writeConfig = (port: number) => writeDaemonConfig(home, stateDir, port);


beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'gov-history-'));
  stateDir = join(home, 'state');
});
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
  await rm(home, { recursive: true, force: true });
});

describe('gov history', () => {
  it('reads the history files when govd is not running, skipping a torn line', async () => {
    await writeConfig(await closedPort());
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'history.jsonl.1'), formatHistoryLine(started));
    await writeFile(join(stateDir, 'history.jsonl'), `${formatHistoryLine(reclaim)}${formatHistoryLine(feedback)}{"kind":"reclaim","at":"2026-01-28T10:`);
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['history'], io)).toBe(0);
    const path = join(stateDir, 'history.jsonl');
    expect(stdout()).toBe(
      [
        'TIME                      KIND      POLICY      WHAT                     FREED       DETAIL',
        '2026-01-28T09:59:00.000Z  event                 started                              govd 0.0.0 started with policy aggressive',
        '2026-01-28T10:00:00.000Z  reclaim   aggressive  cgroup_reclaim 1.00 GiB  700.00 MiB  host 85% used, at or above the 80% threshold; reclaiming 1024 MiB',
        '2026-01-28T10:05:00.000Z  feedback              slow                                 builds crawl',
        `3 records from ${path} (govd is not running); 1 unreadable line skipped`,
        '',
      ].join('\n'),
    );
  });

  it('prints the last --limit records as JSON', async () => {
    await writeConfig(await closedPort());
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'history.jsonl'), [started, reclaim, feedback].map((record) => formatHistoryLine(record)).join(''));
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['history', '--limit', '2', '--json'], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual({ source: { from: 'file', path: join(stateDir, 'history.jsonl') }, records: [reclaim, feedback], skipped: 0 });
  });

  it('says so when there is no history at all', async () => {
    await writeConfig(await closedPort());
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['history'], io)).toBe(0);
    expect(stdout()).toBe(`No history yet from ${join(stateDir, 'history.jsonl')} (govd is not running).\n`);
  });

  it('asks govd when it answers, passing the limit', async () => {
    const requests: string[] = [];
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ records: [reclaim], skipped: 0 }));
    });
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    await writeConfig(port);
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['history', '--limit', '5', '--json'], io)).toBe(0);
    expect(requests).toEqual(['GET /api/history?limit=5']);
    expect(JSON.parse(stdout())).toEqual({ source: { from: 'govd', url: `http://127.0.0.1:${port}` }, records: [reclaim], skipped: 0 });
  });

  it('refuses a bad --limit with exit 2', async () => {
    const { io, stderr } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['history', '--limit', 'all'], io)).toBe(2);
    expect(stderr()).toBe('gov: --limit: "all" is not a whole number of at least 1\nusage: gov history [--limit N] [--config PATH] [--json]\n');
  });
});
