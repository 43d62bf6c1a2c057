import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHistory, type HistoryRecord } from '@gov/policies';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGovd, waitFor, type GovdProcess } from './govd-harness.js';

const GOV = resolve(dirname(fileURLToPath(import.meta.url)), '../../cli/dist/gov.js');
const RECLAIMER_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../packages/reclaimer/dist/index.js');
const MIB = 1024 * 1024;

/** A config that never reclaims on its own: only the API and the CLI act in these tests. */
const QUIET = '[governor]\nenabled = false\n';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<GovdProcess> {
  const govd = await startGovd(QUIET);
  cleanups.push(() => govd.cleanup());
  return govd;
}

/** Runs the built `gov` with govd's config. */
function gov(govd: GovdProcess, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [GOV, ...args], { env: { ...process.env, GOV_CONFIG: govd.configPath, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Another process that takes the reclaim lock of `stateDir` and holds it until killed; resolves with its pid once it holds it. */
async function holdLock(stateDir: string): Promise<{ pid: number; kill(): Promise<void> }> {
  const script = `import { createFileReclaimLock } from ${JSON.stringify(RECLAIMER_DIST)};
await createFileReclaimLock({ path: ${JSON.stringify(join(stateDir, 'reclaim.lock'))} }).acquire('fail');
process.stdout.write('held\\n');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((done, fail) => {
    child.stdout.once('data', () => done());
    child.once('exit', (code) => fail(new Error(`the lock holder exited with ${code}`)));
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  cleanups.push(kill);
  return { pid: child.pid as number, kill };
}

const post = (govd: GovdProcess, token: string, body: string) => fetch(`${govd.base}/api/reclaim`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });

describe('govd and gov reclaim, two real processes on one lock', () => {
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('these tests reclaim memory for real and must run as root');
    for (const built of [GOV, RECLAIMER_DIST]) if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  });

  it('while another process holds the reclaim lock, govd answers 409 and gov reclaim exits 1; once it dies, both reclaim', async () => {
    const govd = await start();
    const token = await govd.token();
    const holder = await holdLock(govd.stateDir);
    const lockPath = join(govd.stateDir, 'reclaim.lock');
    const busy = `another reclaim is running (process ${holder.pid} holds ${lockPath}); try again when it has finished`;

    const refused = await post(govd, token, '{"method":"drop_caches","sync":false}');
    expect([refused.status, await refused.json()]).toEqual([409, { error: { code: 'GOV_RECLAIM_BUSY', message: busy } }]);
    expect(await gov(govd, 'reclaim', '--no-sync')).toEqual({ code: 1, stdout: '', stderr: `gov: ${busy}\n` });
    // A dry run touches nothing and takes no lock.
    expect((await gov(govd, 'reclaim', '--no-sync', '--dry-run')).code).toBe(0);

    await holder.kill();
    const ran = await post(govd, token, '{"method":"drop_caches","sync":false}');
    expect([ran.status, ((await ran.json()) as { steps: { status: string }[] }).steps.map((step) => step.status)]).toEqual([200, ['ok']]);
    expect((await gov(govd, 'reclaim', '--no-sync')).code).toBe(0);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('50 parallel real reclaims: each is run or refused with 409, none queued; every one that ran is recorded', async () => {
    const govd = await start();
    const token = await govd.token();
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(govd, token, '{"method":"full"}')));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status !== 200 && status !== 409)).toEqual([]);
    const ran = statuses.filter((status) => status === 200).length;
    // Asked for at once, they overlap: at least one runs, and the ones asked while it ran are refused, not queued.
    expect([ran >= 1, ran < 50]).toEqual([true, true]);
    const { records } = await govd.get<{ records: HistoryRecord[] }>('/api/history?limit=1000');
    expect(records.filter((record) => record.kind === 'reclaim' && record.code === 'api-request')).toHaveLength(ran);
  });
});

describe('govd stopping during an API reclaim', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'govd-dirty-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  });

  it('SIGTERM while POST /api/reclaim {"method":"full"} runs: the client gets the result, the history its record', async () => {
    const govd = await start();
    const token = await govd.token();
    // 512 MiB of dirty page cache makes the reclaim's sync take a while.
    const handle = await open(join(dataDir, 'dirty.bin'), 'w');
    const chunk = Buffer.alloc(64 * MIB, 0x5a);
    for (let written = 0; written < 512 * MIB; written += chunk.length) await handle.write(chunk);
    await handle.close();

    const answer = post(govd, token, '{"method":"full"}');
    await waitFor('the reclaim to hold its lock', async () => existsSync(join(govd.stateDir, 'reclaim.lock')), 10_000, 1);
    govd.child.kill('SIGTERM');
    const response = await answer;
    const result = (await response.json()) as { method: string; dryRun: boolean; steps: { name: string }[] };
    expect([response.status, result.method, result.dryRun, result.steps.map((step) => step.name)]).toEqual([200, 'full', false, ['sync', 'drop_caches', 'compact_memory']]);
    expect(await govd.exited).toEqual({ code: 0, signal: null });
    const { records, skipped } = parseHistory(await readFile(join(govd.stateDir, 'history.jsonl'), 'utf8'));
    expect([skipped, records.map((record) => (record.kind === 'event' ? record.event : `${record.kind}:${'code' in record ? record.code : ''}`))]).toEqual([0, ['started', 'reclaim:api-request', 'stopped']]);
  });
});
