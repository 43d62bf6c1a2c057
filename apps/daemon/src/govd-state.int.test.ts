import { execFileSync, spawnSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHistoryLine, parseHistory, type HistoryRecord } from '@gov/policies';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GOVD, prepareConfig, startGovd, type GovdProcess } from './govd-harness.js';

const MIB = 1024 * 1024;
const NOBODY = 65534;
/** Nothing acts on its own: only the requests of these tests write to the history. */
const QUIET = '[governor]\nenabled = false\n[governor.learning]\nenabled = false\n';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(options: Parameters<typeof startGovd>[1] = {}): Promise<GovdProcess> {
  const govd = await startGovd(QUIET, options);
  cleanups.push(() => govd.cleanup());
  return govd;
}

/** Peak resident memory of a process, in bytes (`VmHWM` of `/proc/<pid>/status`). */
async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
}

const event = (n: number): HistoryRecord => ({ kind: 'event', at: new Date(Date.UTC(2026, 0, 1, 0, 0, n % 60)).toISOString(), event: 'note', message: `record ${n}` });
const names = (records: HistoryRecord[]) => records.map((record) => (record.kind === 'feedback' ? `feedback:${record.note}` : record.kind === 'event' ? record.event : record.kind));

/** govd's exit and what it printed, for a start that must fail. */
function runGovd(configPath: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [GOVD, '--config', configPath], { encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('govd and its state directory, the built program', () => {
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('these tests mount a tmpfs and chown files to nobody, and must run as root');
  });

  it('on a full tmpfs: the history is degraded on /api/status and /metrics, heals once space is freed, and loses no acknowledged record', async () => {
    const dir = await tempDir('govd-tmpfs-');
    const mountPoint = join(dir, 'fs');
    await mkdir(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mountPoint]);
    cleanups.push(async () => void execFileSync('umount', ['-l', mountPoint]));
    const govd = await start({ stateDir: join(mountPoint, 'state') });
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${await govd.token()}` };
    const feedback = (note: string) => fetch(`${govd.base}/api/feedback`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'ok', note }) });
    expect((await feedback('before')).status).toBe(200);

    // Fill the file system to the last byte.
    const filler = join(mountPoint, 'filler');
    const handle = await open(filler, 'w');
    const chunk = Buffer.alloc(4096, 0x41);
    try {
      for (;;) await handle.write(chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    await handle.close();

    // The history file's last page may still take a record or two; then every append fails.
    const acknowledged: string[] = [];
    let failures = 0;
    for (let i = 0; i < 12 && failures < 3; i++) {
      const note = `while full ${i} ${'x'.repeat(1900)}`;
      const status = (await feedback(note)).status;
      if (status === 200) acknowledged.push(`feedback:${note}`);
      else failures += 1;
      expect([200, 500]).toContain(status);
    }
    expect(failures).toBe(3);
    const degraded = await govd.get<{ history: { writable: boolean; failures: number }; degraded: { source: string; code: string }[] }>('/api/status');
    expect([degraded.history.writable, degraded.history.failures, degraded.degraded.map(({ source, code }) => [source, code])]).toEqual([false, 3, [['history', 'GOV_DAEMON_HISTORY']]]);
    expect((await govd.get<string>('/metrics')).split('\n').filter((line) => line.startsWith('gov_history_'))).toEqual(['gov_history_writable 0', 'gov_history_write_failures_total 3']);

    await rm(filler);
    expect((await feedback('after')).status).toBe(200);
    expect((await govd.get<{ history: { writable: boolean } }>('/api/status')).history.writable).toBe(true);
    expect(await govd.stop()).toEqual({ code: 0, signal: null });
    const { records, skipped } = parseHistory(await readFile(join(mountPoint, 'state', 'history.jsonl'), 'utf8'));
    expect([skipped, names(records)]).toEqual([0, ['started', 'feedback:before', ...acknowledged, 'feedback:after', 'stopped']]);
  });

  it('exits 1 on a state directory, or a token, that another user owns, saying what was found and what is required', async () => {
    const dir = await tempDir('govd-owned-');
    const stateDir = join(dir, 'state');
    await mkdir(stateDir, { mode: 0o700 });
    await writeFile(join(stateDir, 'token'), 'the-attacker-knows-this-token\n', { mode: 0o600 });
    await chown(join(stateDir, 'token'), NOBODY, NOBODY);
    const { configPath } = await prepareConfig(QUIET, { dir, stateDir });
    expect(runGovd(configPath)).toEqual({ status: 1, stderr: `govd: refusing the API token ${join(stateDir, 'token')}: it is owned by uid ${NOBODY} (mode 0600); it must be owned by uid 0, the user govd runs as\n` });
    await chown(stateDir, NOBODY, NOBODY);
    expect(runGovd(configPath)).toEqual({ status: 1, stderr: `govd: refusing the state directory ${stateDir}: it is owned by uid ${NOBODY} (mode 0700); it must be owned by uid 0, the user govd runs as\n` });
  });

  it('exits 1 on a history file that is a symlink to a root-owned file, and never appends to it', async () => {
    const dir = await tempDir('govd-link-');
    const stateDir = join(dir, 'state');
    await mkdir(stateDir, { mode: 0o700 });
    const victim = join(dir, 'victim.conf');
    await writeFile(victim, 'root owns this\n');
    await symlink(victim, join(stateDir, 'history.jsonl'));
    const { configPath } = await prepareConfig(QUIET, { dir, stateDir });
    const history = join(stateDir, 'history.jsonl');
    expect(runGovd(configPath)).toEqual({ status: 1, stderr: `govd: cannot open the history file ${history}: refusing the history file ${history}: it is a symlink; govd never follows one in its state directory\n` });
    expect(await readFile(victim, 'utf8')).toBe('root owns this\n');
  });

  it('answers /api/history and /api/status from a 300 MB history, and one 300 MB line, with memory that stays flat', async () => {
    const dir = await tempDir('govd-big-history-');
    const stateDir = join(dir, 'state');
    await mkdir(stateDir, { mode: 0o700 });
    // One 300 MB line, then ~300 MB of records, the last 20 of them known.
    const handle = await open(join(stateDir, 'history.jsonl'), 'w', 0o600);
    const hugeLine = Buffer.alloc(300 * MIB, 0x7a);
    hugeLine[hugeLine.length - 1] = 0x0a;
    await handle.write(hugeLine);
    const block = Array.from({ length: 10_000 }, (_, n) => formatHistoryLine(event(n))).join('');
    for (let written = 0; written < 300 * MIB; written += Buffer.byteLength(block)) await handle.write(block);
    await handle.write(Array.from({ length: 20 }, (_, n) => formatHistoryLine(event(1000 + n))).join(''));
    await handle.close();

    const govd = await start({ dir, stateDir });
    const pid = govd.child.pid as number;
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => govd.get<{ records: HistoryRecord[]; skipped: number }>('/api/history?limit=10000')),
      ...Array.from({ length: 5 }, () => govd.get<{ records: HistoryRecord[]; skipped: number }>('/api/history?limit=50')),
      govd.get<{ pid: number }>('/api/status'),
    ]);
    const status = answers.pop() as { pid: number };
    expect(status.pid).toBe(pid);
    for (const [index, answer] of (answers as { records: HistoryRecord[]; skipped: number }[]).entries()) {
      expect(answer.records).toHaveLength(index < 20 ? 10_000 : 50);
      const notes = answer.records.filter((record) => record.kind === 'event' && record.event === 'note');
      expect([answer.skipped, notes.slice(-20)]).toEqual([0, Array.from({ length: 20 }, (_, n) => event(1000 + n))]);
    }
    const peak = await peakRssBytes(pid);
    console.info(`govd peak RSS after 26 parallel reads of a 600 MB history: ${Math.round(peak / MIB)} MiB`);
    expect(peak).toBeLessThan(400 * MIB);
    // Now the 300 MB line is the newest but for 20 records: a read meets it, and neither holds it nor reads past its budget.
    await govd.stop();
    const current = await open(join(stateDir, 'history.jsonl'), 'w', 0o600);
    await current.write(hugeLine);
    await current.write(Array.from({ length: 20 }, (_, n) => formatHistoryLine(event(2000 + n))).join(''));
    await current.close();
    const again = await start({ dir: await tempDir('govd-big-history-again-'), stateDir });
    const reads = await Promise.all(Array.from({ length: 20 }, () => again.get<{ records: HistoryRecord[]; skipped: number }>('/api/history?limit=10000')));
    // (Whether the `started` event is in yet depends on when the first request came.)
    for (const read of reads) expect([read.skipped, read.records.filter((record) => record.kind === 'event' && record.event === 'note')]).toEqual([0, Array.from({ length: 20 }, (_, n) => event(2000 + n))]);
    const againPeak = await peakRssBytes(again.child.pid as number);
    console.info(`govd peak RSS after 20 parallel reads meeting a 300 MB line: ${Math.round(againPeak / MIB)} MiB`);
    expect(againPeak).toBeLessThan(400 * MIB);
    // Generous: reading both files whole took 1.97 GB; a bounded tail read stays near the idle daemon.
  });
});
