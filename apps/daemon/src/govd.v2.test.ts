import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLinuxMemory } from '@gov/meminfo';
import { parseHistory, type HistoryRecord } from '@gov/policies';
import { afterAll, describe, expect, it } from 'vitest';
import { assertCgroupV2Kernel, createCgroup, MiB, statValue, uniqueName, until, type TestCgroup } from '../../../tools/test-support/cgroup-lab.js';
import { startGovd, waitFor, type GovdProcess } from './govd-harness.js';

// The built govd on a real cgroup-v2 kernel (the lab guest, `npm run test:v2`), as root.
assertCgroupV2Kernel();

async function memoryStallAvg10(): Promise<number> {
  const some = (await readFile('/proc/pressure/memory', 'utf8')).split('\n').find((line) => line.startsWith('some '));
  return Number(/avg10=([\d.]+)/.exec(some ?? '')?.[1]);
}

type Status = { lastDecision: { kind: string; code: string; reason: string } | null; snapshot: { pressure: { some: { avg10: number } } | null } };

describe('govd on a real cgroup-v2 kernel', () => {
  const cgroups: TestCgroup[] = [];
  let govd: GovdProcess | undefined;
  afterAll(async () => {
    await govd?.cleanup();
    for (const cgroup of cgroups) await cgroup.remove();
  });

  it('holds back while memory really stalls, then reclaims through the root memory.reclaim and the page cache falls', async () => {
    const cache = await createCgroup(uniqueName('gov-govd-cache'));
    cgroups.push(cache);
    await cache.fillPageCache(128 * MiB);
    expect(await cache.stat('file')).toBeGreaterThanOrEqual(128 * MiB);

    // Real memory pressure: a cgroup reading 64 MiB over and over through a 16 MiB memory.max.
    const thrash = await createCgroup(uniqueName('gov-govd-thrash'));
    cgroups.push(thrash);
    const thrashFile = await thrash.fillPageCache(64 * MiB);
    await writeFile(`${thrash.dir}/memory.max`, String(16 * MiB));
    thrash.spawn('sh', ['-c', `while :; do cat "${thrashFile}" >/dev/null; done`]);
    await until('a memory stall above 2% (some avg10)', async () => ((await memoryStallAvg10()) > 2 ? true : undefined), 60_000);

    // A policy that must act (the host counts as pressured at 1% used), gated at 1% stall.
    const toml = (psiMax: number) => `
[governor]
policy = "aggressive"
check_interval_secs = 1
linux_min_mb = 64
psi_some_avg10_max = ${psiMax}

[governor.aggressive]
host_pressure_threshold_percent = 1
target_reclaim_mb = 96
reclaim_interval_secs = 3600
`;
    // Emulated, node loads govd's modules over 9p for tens of seconds.
    govd = await startGovd(toml(1), { readyTimeoutMs: 150_000 });
    const held = await waitFor('a tick held back by the memory stall', async () => {
      const status = await govd!.get<Status>('/api/status');
      return status.lastDecision?.code === 'memory-stall' ? status : undefined;
    });
    expect(held.snapshot.pressure?.some.avg10).toBeGreaterThan(1);
    expect(held.lastDecision?.reason).toMatch(/^memory stall some avg10 [\d.]+% is above 1%; reclaiming now would make it worse$/);
    const { records: whileStalled } = await govd.get<{ records: HistoryRecord[] }>('/api/history?limit=50');
    expect(whileStalled.filter((record) => record.kind === 'reclaim')).toEqual([]);

    // The stall ends with the thrashing; the gate is lifted through the API, as a user would.
    await thrash.remove();
    const rootFileBefore = statValue(await readFile('/sys/fs/cgroup/memory.stat', 'utf8'), 'file');
    const cachedBefore = parseLinuxMemory(await readFile('/proc/meminfo', 'utf8')).cached;
    const config = (await readFile(govd.configPath, 'utf8')).replace('psi_some_avg10_max = 1\n', 'psi_some_avg10_max = 100\n');
    const put = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: { authorization: `Bearer ${await govd.token()}`, 'content-type': 'application/toml' }, body: config });
    expect(put.status).toBe(200);

    const action = await waitFor('a reclaim in the history', async () => {
      const { records } = await govd!.get<{ records: HistoryRecord[] }>('/api/history?limit=50');
      return records.find((record): record is Extract<HistoryRecord, { kind: 'reclaim' }> => record.kind === 'reclaim');
    });
    expect(action).toMatchObject({ kind: 'reclaim', policy: 'aggressive', code: 'host-pressure', method: 'cgroup_reclaim', targetBytes: 96 * MiB, freedMeasure: 'machine', dryRun: false });
    expect(action.fallback).toBeUndefined();
    expect(action.steps.map((step) => [step.name, step.status])).toEqual([['cgroup_reclaim', 'ok']]);
    // The root's memory.reclaim takes from every cgroup, the one built above among them: the
    // machine's page cache falls by about the target.
    expect(rootFileBefore - statValue(await readFile('/sys/fs/cgroup/memory.stat', 'utf8'), 'file')).toBeGreaterThanOrEqual(64 * MiB);
    expect(cachedBefore - parseLinuxMemory(await readFile('/proc/meminfo', 'utf8')).cached).toBeGreaterThanOrEqual(64 * MiB);

    expect(await govd.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const history = parseHistory(await readFile(join(govd.stateDir, 'history.jsonl'), 'utf8'));
    expect(history.records.map((record) => (record.kind === 'event' ? record.event : record.kind))).toEqual(['started', 'config-updated', 'reclaim', 'stopped']);
  }, 300_000);
});
