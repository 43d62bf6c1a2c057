import { execFileSync } from 'node:child_process';
import { open, readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLinuxMemory } from '@gov/meminfo';
import { parseHistory, type HistoryRecord } from '@gov/policies';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eagerConfig, startGovd, waitFor, type GovdProcess } from './govd-harness.js';

const MIB = 1024 * 1024;
const FILE_BYTES = 1024 * MIB;

async function cachedBytes(): Promise<number> {
  return parseLinuxMemory(await readFile('/proc/meminfo', 'utf8')).cached;
}

/** Bytes of the file resident in the page cache, as util-linux `fincore` reports them. */
function residentBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
}

/** Writes and reads back a file, so its pages sit (clean) in the page cache. */
async function buildPageCache(path: string, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(64 * MIB, 0x5a);
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; written += chunk.length) await handle.write(chunk, 0, chunk.length);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const reader = await open(path, 'r');
  try {
    for (let offset = 0; offset < bytes; offset += chunk.length) await reader.read(chunk, 0, chunk.length, offset);
  } finally {
    await reader.close();
  }
}

describe('govd on the real kernel', () => {
  let dataDir: string;
  let file: string;
  let govd: GovdProcess | undefined;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test reclaims memory for real and must run as root');
    dataDir = await mkdtemp(join(tmpdir(), 'govd-cache-'));
    file = join(dataDir, 'page-cache.bin');
  });

  afterAll(async () => {
    await govd?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives back 1 GiB of page cache within a few ticks, and records, counts and reports it', async () => {
    // Another process may drop caches at any moment. Read `Cached` first, then check the file is
    // still resident: a drop after that reading only makes the fall asserted below larger.
    let cachedBefore = 0;
    let resident = 0;
    for (let attempt = 0; attempt < 3 && resident < FILE_BYTES * 0.9; attempt++) {
      await buildPageCache(file, FILE_BYTES);
      cachedBefore = await cachedBytes();
      resident = residentBytes(file);
    }
    expect(resident).toBeGreaterThanOrEqual(FILE_BYTES * 0.9);

    // A policy that must act: the host counts as pressured at 1% used; the floor is low.
    govd = await startGovd(eagerConfig({ targetMb: 2048, intervalSecs: 3600 }));

    const action = await waitFor('a reclaim in the history', async () => {
      const { records } = await govd!.get<{ records: HistoryRecord[] }>('/api/history?limit=50');
      return records.find((record): record is Extract<HistoryRecord, { kind: 'reclaim' }> => record.kind === 'reclaim');
    });
    // Whatever else runs on this machine can only add to the fall (dropping caches) or add
    // page cache of its own; the file's own pages show the reclaim happened.
    expect(residentBytes(file)).toBeLessThan(FILE_BYTES * 0.1);
    expect(cachedBefore - (await cachedBytes())).toBeGreaterThan(FILE_BYTES / 2);
    expect(action).toMatchObject({ kind: 'reclaim', policy: 'aggressive', code: 'host-pressure', dryRun: false });
    expect(action.steps.every((step) => step.status === 'ok')).toBe(true);
    expect(action.steps.map((step) => step.name)).toContain('drop_caches');
    expect(action.freedBytes).toBeGreaterThan(0);

    const metrics = await govd.get<string>('/metrics');
    const reclaims = metrics.split('\n').filter((line) => line.startsWith('gov_reclaims_total{'));
    expect(reclaims).toEqual([`gov_reclaims_total{method="${action.method}",trigger="governor",outcome="ok"} 1`]);
    const freed = metrics.split('\n').find((line) => line.startsWith(`gov_reclaim_freed_bytes_total{method="${action.method}"}`));
    expect(Number(freed?.split(' ')[1])).toBe(action.freedBytes);

    const status = await govd.get<{ policy: string; dryRun: boolean; ticks: number; snapshot: { linux: { total: number } }; capabilities: { reclaim: string }; telemetry: { totalBytes: number } }>('/api/status');
    expect(status).toMatchObject({ policy: 'aggressive', dryRun: false, capabilities: { reclaim: 'root' } });
    expect(status.ticks).toBeGreaterThanOrEqual(1);
    expect(status.snapshot.linux.total).toBeGreaterThan(0);
    expect(status.telemetry.totalBytes).toBeGreaterThan(0);

    expect(await govd.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const history = parseHistory(await readFile(join(govd.stateDir, 'history.jsonl'), 'utf8'));
    expect(history.skipped).toBe(0);
    expect(history.records.map((record) => (record.kind === 'event' ? record.event : record.kind))).toEqual(['started', 'reclaim', 'stopped']);
  });
});
