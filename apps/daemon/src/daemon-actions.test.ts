import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHistory } from '@gov/policies';
import { createFileReclaimLock, createReclaimer, type ReclaimExecutor } from '@gov/reclaimer';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonReclaimer } from './daemon.js';
import { fakeReclaimResult, startInProcess, type InProcessDaemon } from './test-daemon.js';

let govd: InProcessDaemon | undefined;
afterEach(async () => {
  await govd?.cleanup();
  govd = undefined;
});

/** An executor whose every action waits for `gate` to open. */
function gatedExecutor(gate: Promise<void>): ReclaimExecutor & { ran: string[] } {
  const ran: string[] = [];
  return {
    kind: 'gated',
    dryRun: false,
    ran,
    readCgroupLayout: async () => ({ v2Memory: null, v1Memory: null }),
    readCgroupStat: async () => '',
    describe: (action) => action.kind,
    async run(action) {
      ran.push(action.kind);
      await gate;
      return {};
    },
  };
}

/** A reclaimer that tells when a call has started, and finishes it when `finish()` is called. */
function heldReclaimer() {
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  let finish: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const reclaimer: DaemonReclaimer = {
    async reclaim(request) {
      started();
      await gate;
      return fakeReclaimResult(request);
    },
  };
  return { reclaimer, running, finish };
}

const kinds = async (stateDir: string) => parseHistory(await readFile(join(stateDir, 'history.jsonl'), 'utf8')).records.map((record) => (record.kind === 'event' ? record.event : record.kind));

describe('govd API actions', () => {
  it('answers a reclaim asked for while one runs with 409 GOV_RECLAIM_BUSY instead of queueing it', async () => {
    let open: () => void = () => undefined;
    const executor = gatedExecutor(new Promise((resolve) => (open = resolve)));
    const stateDir = await mkdtemp(join(tmpdir(), 'govd-busy-'));
    const reclaimer = createReclaimer({ executor, lock: createFileReclaimLock({ path: join(stateDir, 'reclaim.lock') }), readMemory: async () => Promise.reject(new Error('no meminfo here')) });
    govd = await startInProcess('', { reclaimer, stateDir });
    const ask = () => fetch(`${govd?.base}/api/reclaim`, { method: 'POST', headers: govd?.auth, body: '{"method":"drop_caches","sync":false}' });
    const first = ask();
    while (executor.ran.length === 0) await new Promise((done) => setTimeout(done, 5));
    const others = await Promise.all(Array.from({ length: 10 }, ask));
    const answers = await Promise.all(others.map(async (response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code]));
    expect(answers).toEqual(Array.from({ length: 10 }, () => [409, 'GOV_RECLAIM_BUSY']));
    open();
    expect((await first).status).toBe(200);
    expect(executor.ran).toEqual(['drop_caches']);
    expect((await ask()).status).toBe(200);
    await rm(stateDir, { recursive: true, force: true });
  });

  it('a stop waits for an API reclaim in flight: the client gets its answer and the history its record', async () => {
    const held = heldReclaimer();
    govd = await startInProcess('', { reclaimer: held.reclaimer });
    const answer = fetch(`${govd.base}/api/reclaim`, { method: 'POST', headers: govd.auth, body: '{"method":"full"}' });
    await held.running;
    const stopped = govd.daemon.stop();
    setTimeout(held.finish, 50);
    const response = await answer;
    expect([response.status, ((await response.json()) as { method: string }).method]).toEqual([200, 'full']);
    await stopped;
    expect(await kinds(govd.stateDir)).toEqual(['started', 'reclaim', 'stopped']);
  });

  it('a stop waits for an API action at most apiDrainMs, then drops it and says so', async () => {
    const held = heldReclaimer();
    govd = await startInProcess('', { reclaimer: held.reclaimer, apiDrainMs: 100 });
    const answer = fetch(`${govd.base}/api/reclaim`, { method: 'POST', headers: govd.auth, body: '{"method":"full"}' }).then(
      (response) => response.status,
      () => 'dropped',
    );
    await held.running;
    await govd.daemon.stop();
    expect(await answer).toBe('dropped');
    const { records } = parseHistory(await readFile(join(govd.stateDir, 'history.jsonl'), 'utf8'));
    expect(records.at(-1)).toMatchObject({ kind: 'event', event: 'stopped', message: 'govd stopped after 1 ticks; 1 API request(s) still running after 100 ms were dropped' });
    held.finish();
  });
});
