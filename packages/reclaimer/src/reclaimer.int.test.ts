import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCgroupMemory, readLinuxMemory } from '@gov/meminfo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithDocker, dockerCli, removeContainers, startContainer } from '../../../tools/test-support/docker.js';
import { createLocalExecutor } from './local-executor.js';
import { createReclaimer } from './reclaimer.js';

const MiB = 1024 ** 2;
const FILE_BYTES = 512 * MiB;

// These run on the real kernel as root. Other processes on the machine may drop caches at the
// same time, which can only make the falls asserted here larger.

describe('drop_caches on the real kernel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-reclaim-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('drops a 512 MiB file from the page cache, and freedBytes is what /proc/meminfo shows', async () => {
    const path = join(dir, 'cached.bin');
    const chunk = Buffer.alloc(8 * MiB, 0x5a);
    const file = await open(path, 'w');
    for (let written = 0; written < FILE_BYTES; written += chunk.length) await file.write(chunk);
    // Written back now, so the reclaim's own sync is short and the page cache is clean.
    await file.sync();
    await file.close();
    const readBack = await readFile(path);
    expect(readBack.length).toBe(FILE_BYTES);

    const result = await createReclaimer().reclaim({ method: 'drop_caches' });

    expect(result.steps.map((step) => [step.name, step.status, step.detail])).toEqual([
      ['sync', 'ok', 'run sync'],
      ['drop_caches', 'ok', 'write "1" to /proc/sys/vm/drop_caches'],
    ]);
    const before = result.before;
    const after = result.after;
    if (!before || !after) throw new Error('the reclaim did not read /proc/meminfo');
    expect(before.cached - after.cached).toBeGreaterThan(FILE_BYTES * 0.8);
    expect(result.freedBytes).toBe(Math.max(0, after.free - before.free));
    // MemFree also moves with whatever else the machine allocates meanwhile (and freed pages sit
    // on per-CPU lists first), so its rise is checked for sign, the page cache for size.
    expect(result.freedBytes).toBeGreaterThan(0);
    // The reading the result carries is the kernel's: a fresh one still shows the cache gone.
    const now = await readLinuxMemory();
    expect(before.cached - now.cached).toBeGreaterThan(FILE_BYTES * 0.5);
  });

  it('runs compact_memory and reports it ok', async () => {
    const result = await createReclaimer().reclaim({ method: 'compact_memory' });
    expect(result.steps.map(({ durationMs: _, ...step }) => step)).toEqual([{ name: 'compact_memory', status: 'ok', detail: 'write "1" to /proc/sys/vm/compact_memory' }]);
    expect(result.before).not.toBeNull();
    expect(result.after).not.toBeNull();
  });
});

describe('cgroup_reclaim for the whole machine where no cgroup v2 memory controller is mounted', () => {
  it('reads the real mounts and falls back to drop_caches level 1, saying why', async () => {
    const layout = await createLocalExecutor().readCgroupLayout();
    // This machine: v1 memory hierarchy, v2 mounted without the memory controller.
    expect(layout).toEqual({ v2Memory: null, v1Memory: '/sys/fs/cgroup/memory' });
    const result = await createReclaimer().reclaim({ method: 'cgroup_reclaim', targetBytes: 64 * MiB, sync: false });
    expect(result.fallback).toEqual({
      from: 'cgroup_reclaim',
      to: 'drop_caches',
      reason: 'no cgroup v2 memory controller is mounted, so the root cgroup has no memory.reclaim; dropped the page cache instead',
    });
    expect(result.steps.map((step) => [step.name, step.status, step.detail])).toEqual([['drop_caches', 'ok', 'write "1" to /proc/sys/vm/drop_caches']]);
  });
});

describeWithDocker('cgroup v1 memory.force_empty on a running container', () => {
  const containers: string[] = [];
  afterAll(() => removeContainers(...containers));

  /** The container's memory cgroup relative to the v1 memory mount, from its init process. */
  async function memoryCgroupOf(id: string): Promise<string> {
    const pid = dockerCli(['inspect', '--format', '{{.State.Pid}}', id]);
    const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
    const memory = lines.map((line) => line.split(':')).find(([, controllers]) => controllers?.split(',').includes('memory'));
    if (!memory?.[2]) throw new Error(`no memory cgroup for container ${id}`);
    return memory[2].replace(/^\//, '');
  }

  async function waitForCache(dir: string, atLeast: number): Promise<number> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const cache = (await readCgroupMemory(dir)).stat['cache'] ?? 0;
      if (cache >= atLeast) return cache;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the container's page cache did not reach ${atLeast} bytes`);
  }

  it('removes the page cache the container built, while it keeps running', async () => {
    const id = startContainer({ command: ['sh', '-c', 'dd if=/dev/zero of=/tmp/f bs=1M count=200 2>/dev/null && sync && touch /tmp/done && sleep 600'] });
    containers.push(id);
    const cgroup = await memoryCgroupOf(id);
    expect(cgroup).toMatch(/^[A-Za-z0-9_.:@+=,/-]+$/);
    const dir = `/sys/fs/cgroup/memory/${cgroup}`;
    const cacheBefore = await waitForCache(dir, 190 * MiB);

    const result = await createReclaimer().reclaim({ method: 'cgroup_reclaim', cgroup });

    expect(result.steps.map((step) => [step.name, step.status, step.detail])).toEqual([
      ['cgroup_reclaim', 'ok', `write "0" to memory.force_empty of cgroup ${cgroup} (v1)`],
    ]);
    const cacheAfter = (await readCgroupMemory(dir)).stat['cache'] ?? 0;
    expect(cacheBefore - cacheAfter).toBeGreaterThan(190 * MiB);
    // Measured on the cgroup (v1 memory.usage_in_bytes and total_cache), not on MemFree.
    expect(result.freedMeasure).toBe('cgroup');
    expect(result.freedBytes).toBeGreaterThan(190 * MiB);
    expect(result.cgroup?.path).toBe(cgroup);
    expect((result.cgroup?.before?.file ?? 0) - (result.cgroup?.after?.file ?? 0)).toBeGreaterThan(190 * MiB);
    // This kernel lets force_empty run on a cgroup with tasks: the container is still running.
    expect(dockerCli(['inspect', '--format', '{{.State.Running}}', id])).toBe('true');
  });

  it('removes the page cache of a paused (frozen) container too', async () => {
    const id = startContainer({ command: ['sh', '-c', 'dd if=/dev/zero of=/tmp/f bs=1M count=100 2>/dev/null && sync && sleep 600'] });
    containers.push(id);
    const cgroup = await memoryCgroupOf(id);
    const dir = `/sys/fs/cgroup/memory/${cgroup}`;
    const cacheBefore = await waitForCache(dir, 95 * MiB);
    dockerCli(['pause', id]);

    const result = await createReclaimer().reclaim({ method: 'cgroup_reclaim', cgroup });

    expect(result.steps.map((step) => [step.name, step.status])).toEqual([['cgroup_reclaim', 'ok']]);
    const cacheAfter = (await readCgroupMemory(dir)).stat['cache'] ?? 0;
    expect(cacheBefore - cacheAfter).toBeGreaterThan(95 * MiB);
    expect(dockerCli(['inspect', '--format', '{{.State.Paused}}', id])).toBe('true');
  });
});
