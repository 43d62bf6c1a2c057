import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHistoryLine, type HistoryRecord } from '@gov/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPalette } from './format.js';
import { readGovdSummary, renderGovdSummary, type GovdSummary } from './govd-summary.js';
import { closedPort, writeDaemonConfig } from './test-daemon.js';
import { createTestIo } from './test-io.js';

let home: string;
let stateDir: string;
let server: Server | undefined;

const reclaim: HistoryRecord = { kind: 'reclaim', at: '2026-11-22T02:50:00.000Z', policy: 'dynamic', code: 'dynamic-waste', reason: 'waste above 500 MiB', method: 'full', targetBytes: null, freedBytes: 2 * 1024 ** 3, durationMs: 700, dryRun: false, steps: [], advice: null };
const podReclaim: HistoryRecord = { kind: 'reclaim-idle-pods', at: '2026-11-22T02:52:00.000Z', policy: 'dynamic', code: 'pressure-after-reclaim', reason: 'still under pressure after a reclaim', reclaimed: ['shop/cart-7d9f'], freedBytes: 300 * 1024 ** 2, durationMs: 40, dryRun: false };
const feedback: HistoryRecord = { kind: 'feedback', at: '2026-11-22T02:55:00.000Z', feedback: 'ok', note: null };

/** A stand-in govd answering /api/status and /api/history as the real one does. */
async function startFakeGovd(records: HistoryRecord[]) {
  server = createServer((req, res) => {
    const body = req.url?.startsWith('/api/status')
      ? { version: '0.1.0', pid: 4242, uptimeMs: 3_720_000, policy: 'aggressive', enabled: true, dryRun: false, capabilities: { reclaim: 'root' } }
      : { records, skipped: 0 };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'gov-summary-'));
  stateDir = join(home, 'state');
});
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
  await rm(home, { recursive: true, force: true });
});

describe('readGovdSummary', () => {
  it('asks a running govd for its status and finds its last action in its history', async () => {
    const port = await startFakeGovd([reclaim, feedback]);
    await writeDaemonConfig(home, stateDir, port);
    expect(await readGovdSummary(createTestIo({ env: { HOME: home } }).io, undefined)).toEqual({
      running: true,
      url: `http://127.0.0.1:${port}`,
      version: '0.1.0',
      pid: 4242,
      uptimeMs: 3_720_000,
      policy: 'aggressive',
      enabled: true,
      dryRun: false,
      reclaim: 'root',
      lastAction: reclaim,
    });
  });

  it('reads the history file govd left when none answers', async () => {
    const port = await closedPort();
    await writeDaemonConfig(home, stateDir, port);
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'history.jsonl'), [reclaim, feedback].map(formatHistoryLine).join(''));
    expect(await readGovdSummary(createTestIo({ env: { HOME: home } }).io, undefined)).toEqual({ running: false, url: `http://127.0.0.1:${port}`, history: join(stateDir, 'history.jsonl'), lastAction: reclaim });
  });

  it('counts a reclaim of idle pods\' page cache as an action', async () => {
    const port = await closedPort();
    await writeDaemonConfig(home, stateDir, port);
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'history.jsonl'), [reclaim, podReclaim, feedback].map(formatHistoryLine).join(''));
    expect(await readGovdSummary(createTestIo({ env: { HOME: home } }).io, undefined)).toEqual({ running: false, url: `http://127.0.0.1:${port}`, history: join(stateDir, 'history.jsonl'), lastAction: podReclaim });
  });

  it('reports a config it cannot read instead of failing, unless --config named it', async () => {
    await mkdir(join(home, '.config', 'gov'), { recursive: true });
    await writeFile(join(home, '.config', 'gov', 'config.toml'), '[governor]\npolicy = "fast"\n');
    const io = createTestIo({ env: { HOME: home } }).io;
    expect(await readGovdSummary(io, undefined)).toEqual({ running: null, error: `invalid config ${join(home, '.config', 'gov', 'config.toml')}:\n  governor.policy: "fast" is not one of "dynamic", "aggressive", "conservative", "scheduled"` });
    await expect(readGovdSummary(io, join(home, 'missing.toml'))).rejects.toMatchObject({ code: 'GOV_CONFIG_NOT_FOUND' });
  });
});

describe('renderGovdSummary', () => {
  const palette = createPalette(false, {});
  const now = new Date('2026-11-22T03:00:00.000Z');
  const running: GovdSummary = { running: true, url: 'http://127.0.0.1:7878', version: '0.1.0', pid: 4242, uptimeMs: 3_720_000, policy: 'dynamic', enabled: true, dryRun: false, reclaim: 'root', lastAction: reclaim };

  it.each([
    [running, 'running at http://127.0.0.1:7878 (0.1.0, pid 4242, up 1h2m) · policy dynamic, acting · last action 10m ago: reclaim full, freed 2.00 GiB (policy dynamic)'],
    [{ ...running, dryRun: true, lastAction: null }, 'running at http://127.0.0.1:7878 (0.1.0, pid 4242, up 1h2m) · policy dynamic, dry run: changes nothing · no action recorded yet'],
    [{ ...running, reclaim: 'needs-root' }, 'running at http://127.0.0.1:7878 (0.1.0, pid 4242, up 1h2m) · policy dynamic, not root: reclaims fail · last action 10m ago: reclaim full, freed 2.00 GiB (policy dynamic)'],
    [{ ...running, enabled: false }, 'running at http://127.0.0.1:7878 (0.1.0, pid 4242, up 1h2m) · policy dynamic, governor disabled · last action 10m ago: reclaim full, freed 2.00 GiB (policy dynamic)'],
    [{ running: false, url: 'http://127.0.0.1:7878', history: '/x/history.jsonl', lastAction: null }, 'not running (nothing answers at http://127.0.0.1:7878) · no action recorded yet'],
    [{ running: null, error: 'config file /x does not exist' }, 'unknown: config file /x does not exist'],
  ] satisfies [GovdSummary, string][])('%j reads %j', (summary, text) => {
    expect(renderGovdSummary(summary, palette, now)).toBe(text);
  });
});
