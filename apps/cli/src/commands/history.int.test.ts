import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryRecord } from '@gov/policies';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The built programs, as a user runs them: `npx nx run @gov/cli:build` and `@gov/daemon:build` first.
const GOV = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));
const GOVD = fileURLToPath(new URL('../../../daemon/dist/govd.js', import.meta.url));

let home: string;
let stateDir: string;
let port: number;
let govd: ChildProcess | undefined;

function run(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [GOV, ...args], { env: { ...process.env, HOME: home, GOV_CONFIG: '', NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function startGovd(): Promise<void> {
  const child = spawn(process.execPath, [GOVD, '--dry-run'], { env: { ...process.env, HOME: home, GOV_CONFIG: '' }, stdio: 'ignore' });
  govd = child;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`govd exited with ${child.exitCode}`);
    const answered = await fetch(`http://127.0.0.1:${port}/api/status`).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) throw new Error('govd did not answer within 30 s');
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function stopGovd(): Promise<void> {
  const child = govd;
  govd = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

const history = async (...args: string[]) => JSON.parse((await run('history', '--json', ...args)).stdout) as { source: { from: string }; records: HistoryRecord[]; skipped: number };
const kinds = (records: HistoryRecord[]) => records.map((record) => (record.kind === 'event' ? record.event : record.kind === 'feedback' ? `feedback ${record.feedback}` : record.kind));

describe('gov history and gov feedback, built, with and without govd', () => {
  beforeAll(() => {
    for (const program of [GOV, GOVD]) if (!existsSync(program)) throw new Error(`${program} is missing: build it first`);
  });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'gov-history-e2e-'));
    stateDir = join(home, 'state');
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    port = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    await mkdir(join(home, '.config', 'gov'), { recursive: true });
    // Idle policy: nothing to reclaim at 100% host pressure threshold, so the history holds only what the test does.
    await writeFile(join(home, '.config', 'gov', 'config.toml'), `[governor]\npolicy = "conservative"\ncheck_interval_secs = 1\n\n[governor.conservative]\nhost_critical_threshold_percent = 100\n\n[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(stateDir)}\n`);
  });

  afterEach(async () => {
    await stopGovd();
    await rm(home, { recursive: true, force: true });
  });

  it('gov learn reset starts a running govd\'s advisor over', async () => {
    await startGovd();
    const reset = await run('learn', 'reset', '--yes', '--json');
    expect([reset.exitCode, JSON.parse(reset.stdout)]).toEqual([0, { model: join(stateDir, 'neural-model.json'), removed: false, govd: 'reset', url: `http://127.0.0.1:${port}` }]);
    expect(kinds((await history()).records)).toContain('learn-reset');
  });

  it('goes through govd while it runs and through the files when it does not', async () => {
    await startGovd();
    const sent = await run('feedback', 'slow', '--note', 'builds crawl', '--json');
    expect([sent.exitCode, JSON.parse(sent.stdout)]).toEqual([0, { delivered: 'govd', url: `http://127.0.0.1:${port}`, record: { kind: 'feedback', feedback: 'slow', note: 'builds crawl' } }]);
    const live = await history();
    expect(live.source).toEqual({ from: 'govd', url: `http://127.0.0.1:${port}` });
    expect(kinds(live.records)).toEqual(['started', 'feedback slow']);

    await stopGovd();
    const offline = await run('feedback', 'ok', '--json');
    expect([offline.exitCode, JSON.parse(offline.stdout).delivered]).toEqual([0, 'file']);
    const fromFile = await history();
    expect(fromFile.source).toEqual({ from: 'file', path: join(stateDir, 'history.jsonl') });
    expect(kinds(fromFile.records)).toEqual(['started', 'feedback slow', 'stopped', 'feedback ok']);

    await startGovd();
    const text = await run('history', '--limit', '2');
    expect(text.exitCode).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^TIME +KIND +POLICY +WHAT +FREED +DETAIL$/);
    expect(lines[1]).toMatch(/^\S+Z +feedback +ok$/);
    expect(lines[2]).toMatch(/^\S+Z +event +started +govd \S+ started with policy conservative \(dry run: --dry-run\)/);
    expect(lines[3]).toBe(`2 records from govd at http://127.0.0.1:${port}`);
  });
});
