import { parseLinuxMemory, type LinuxMemory } from '@gov/meminfo';
import { describe, expect, it } from 'vitest';
import { createDryRunExecutor } from './dry-run-executor.js';
import { ReclaimError } from './errors.js';
import { createReclaimLock } from './lock.js';
import { createReclaimer } from './reclaimer.js';
import type { CgroupLayout, CgroupUsage, ReclaimAction, ReclaimExecutor } from './types.js';

const MiB = 1024 ** 2;

/** Linux memory as the kernel would report it, with the fields a reclaim changes. */
function memory(freeMiB: number, cachedMiB: number): LinuxMemory {
  return parseLinuxMemory(
    [
      'MemTotal: 16777216 kB',
      `MemFree: ${freeMiB * 1024} kB`,
      'MemAvailable: 12582912 kB',
      'Buffers: 102400 kB',
      `Cached: ${cachedMiB * 1024} kB`,
      'SwapTotal: 0 kB',
      'SwapFree: 0 kB',
      'Shmem: 8192 kB',
      'SReclaimable: 204800 kB',
    ].join('\n'),
  );
}

/** An executor that records the actions it is given and answers as told. */
function fakeExecutor(options: { layout?: CgroupLayout | Error; fail?: (action: ReclaimAction) => Error | undefined; stat?: string; hang?: (action: ReclaimAction) => boolean } = {}) {
  const ran: ReclaimAction[] = [];
  const executor: ReclaimExecutor = {
    kind: 'fake',
    dryRun: false,
    async readCgroupLayout() {
      const layout = options.layout ?? { v2Memory: '/sys/fs/cgroup', v1Memory: null };
      if (layout instanceof Error) throw layout;
      return layout;
    },
    async readCgroupStat() {
      return options.stat ?? 'anon 1048576\nfile 734003200\nshmem 104857600\n';
    },
    describe(action) {
      return JSON.stringify(action);
    },
    async run(action) {
      ran.push(action);
      if (options.hang?.(action)) return new Promise(() => {});
      const failure = options.fail?.(action);
      if (failure) throw failure;
      return {};
    },
  };
  return { executor, ran };
}

/** A clock that moves 5 ms each time it is read. */
function steppingClock() {
  let ms = 1000;
  return () => (ms += 5);
}

function readings(...values: LinuxMemory[]) {
  const queue = [...values];
  return async () => {
    const next = queue.shift();
    if (!next) throw new Error('no more readings');
    return next;
  };
}

describe('createReclaimer', () => {
  it('syncs and drops the page cache by default, and measures what was freed', async () => {
    const { executor, ran } = fakeExecutor();
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(2500, 1500)), now: steppingClock(), lock: createReclaimLock() });
    expect(await reclaimer.reclaim({ method: 'drop_caches' })).toEqual({
      method: 'drop_caches',
      targetBytes: null,
      steps: [
        { name: 'sync', status: 'ok', detail: '{"kind":"sync"}', durationMs: 5 },
        { name: 'drop_caches', status: 'ok', detail: '{"kind":"drop_caches","level":1}', durationMs: 5 },
      ],
      before: memory(1000, 3000),
      after: memory(2500, 1500),
      freedBytes: 1500 * MiB,
      freedMeasure: 'machine',
      durationMs: 25,
      dryRun: false,
    });
    expect(ran).toEqual([{ kind: 'sync' }, { kind: 'drop_caches', level: 1 }]);
  });

  it('runs full as drop_caches then compact_memory, at the level asked, without sync when told', async () => {
    const { executor, ran } = fakeExecutor();
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(900, 3000)), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'full', level: 3, sync: false });
    expect(ran).toEqual([{ kind: 'drop_caches', level: 3 }, { kind: 'compact_memory' }]);
    expect(result.steps.map((step) => [step.name, step.status])).toEqual([
      ['drop_caches', 'ok'],
      ['compact_memory', 'ok'],
    ]);
    // Less free memory afterwards (something else allocated): freed is never negative.
    expect(result.freedBytes).toBe(0);
  });

  it('writes the target to the root memory.reclaim where a v2 memory controller is mounted', async () => {
    const { executor, ran } = fakeExecutor();
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1512, 2488)), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', targetBytes: 512 * MiB });
    expect(ran).toEqual([{ kind: 'memory_reclaim', cgroup: '', bytes: 512 * MiB, swappiness: true }]);
    expect(result.fallback).toBeUndefined();
    expect(result.targetBytes).toBe(512 * MiB);
    expect(result.freedBytes).toBe(512 * MiB);
  });

  it('falls back to drop_caches level 1 on the whole machine where no v2 memory controller is mounted, and says so', async () => {
    const { executor, ran } = fakeExecutor({ layout: { v2Memory: null, v1Memory: '/sys/fs/cgroup/memory' } });
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1512, 2488)), now: steppingClock(), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', targetBytes: 512 * MiB });
    expect(ran).toEqual([{ kind: 'sync' }, { kind: 'drop_caches', level: 1 }]);
    expect(result.fallback).toEqual({
      from: 'cgroup_reclaim',
      to: 'drop_caches',
      reason: 'no cgroup v2 memory controller is mounted, so the root cgroup has no memory.reclaim; dropped the page cache instead',
    });
    expect(result.method).toBe('cgroup_reclaim');
  });

  it('retries memory.reclaim with the byte count alone when the kernel refuses "swappiness=0"', async () => {
    const einval = new ReclaimError('GOV_RECLAIM_FAILED', 'memory.reclaim: writing x failed (EINVAL)', { errno: 'EINVAL' });
    const { executor, ran } = fakeExecutor({ fail: (action) => (action.kind === 'memory_reclaim' && action.swappiness ? einval : undefined) });
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1100, 2900)), now: steppingClock(), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/x.service', targetBytes: 64 * MiB });
    expect(ran).toEqual([
      { kind: 'memory_reclaim', cgroup: 'system.slice/x.service', bytes: 64 * MiB, swappiness: true },
      { kind: 'memory_reclaim', cgroup: 'system.slice/x.service', bytes: 64 * MiB, swappiness: false },
    ]);
    expect(result.steps).toEqual([
      {
        name: 'cgroup_reclaim',
        status: 'ok',
        detail: '{"kind":"memory_reclaim","cgroup":"system.slice/x.service","bytes":67108864,"swappiness":false}; the kernel refused "swappiness=0" (EINVAL)',
        durationMs: 5,
      },
    ]);
  });

  describe('what freedBytes measures', () => {
    /** The fake executor, reading the target cgroup's memory from a queue (an Error is a failed read). */
    function withCgroupReadings(...values: (CgroupUsage | Error)[]) {
      const fake = fakeExecutor();
      const read: string[] = [];
      fake.executor.readCgroupUsage = async (cgroup) => {
        read.push(cgroup);
        const next = values.shift();
        if (next === undefined || next instanceof Error) throw next ?? new Error('no more readings');
        return next;
      };
      return { ...fake, read };
    }

    it('a reclaim of one cgroup: the bytes that left it, not the smaller rise of MemFree', async () => {
      const { executor, read } = withCgroupReadings({ usage: 300 * MiB, file: 250 * MiB }, { usage: 200 * MiB, file: 150 * MiB });
      const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1075, 2900)), now: steppingClock(), lock: createReclaimLock() });
      const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: 'system.slice/x.service', targetBytes: 100 * MiB });
      expect(read).toEqual(['system.slice/x.service', 'system.slice/x.service']);
      expect([result.freedBytes, result.freedMeasure, result.cgroup]).toEqual([
        100 * MiB,
        'cgroup',
        { path: 'system.slice/x.service', before: { usage: 300 * MiB, file: 250 * MiB }, after: { usage: 200 * MiB, file: 150 * MiB } },
      ]);
    });

    it('the machine when the cgroup cannot be read afterwards, or the executor cannot read cgroups', async () => {
      const unreadable = withCgroupReadings({ usage: 300 * MiB, file: 250 * MiB }, new Error('EACCES'));
      const first = await createReclaimer({ executor: unreadable.executor, readMemory: readings(memory(1000, 3000), memory(1075, 2900)), lock: createReclaimLock() }).reclaim({
        method: 'cgroup_reclaim',
        cgroup: 'a',
        targetBytes: 100 * MiB,
      });
      expect([first.freedBytes, first.freedMeasure, first.cgroup]).toEqual([75 * MiB, 'machine', { path: 'a', before: { usage: 300 * MiB, file: 250 * MiB }, after: null }]);

      const { executor } = fakeExecutor();
      const second = await createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1075, 2900)), lock: createReclaimLock() }).reclaim({
        method: 'cgroup_reclaim',
        cgroup: 'a',
        targetBytes: 100 * MiB,
      });
      expect([second.freedBytes, second.freedMeasure, second.cgroup]).toEqual([75 * MiB, 'machine', { path: 'a', before: null, after: null }]);
    });

    it('the machine for a whole-machine reclaim, which reads no cgroup', async () => {
      const { executor, read } = withCgroupReadings();
      const result = await createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1064, 2936)), lock: createReclaimLock() }).reclaim({
        method: 'cgroup_reclaim',
        targetBytes: 64 * MiB,
      });
      expect([read, result.freedBytes, result.freedMeasure, 'cgroup' in result]).toEqual([[], 64 * MiB, 'machine', false]);
    });

    it('a dry run of a cgroup reclaim reads the cgroup once and frees nothing', async () => {
      const { executor, read } = withCgroupReadings({ usage: 300 * MiB, file: 250 * MiB });
      const result = await createReclaimer({ executor, readMemory: readings(memory(1000, 3000)), lock: createReclaimLock() }).reclaim({
        method: 'cgroup_reclaim',
        cgroup: 'a',
        targetBytes: 100 * MiB,
        dryRun: true,
      });
      expect([read, result.freedBytes, result.freedMeasure, result.cgroup]).toEqual([['a'], 0, 'cgroup', { path: 'a', before: { usage: 300 * MiB, file: 250 * MiB }, after: null }]);
    });
  });

  it('does not retry when memory.reclaim fails for another reason', async () => {
    const denied = new ReclaimError('GOV_RECLAIM_PERMISSION', 'needs root', { errno: 'EACCES' });
    const { executor, ran } = fakeExecutor({ fail: () => denied });
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1000, 3000)), now: steppingClock(), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: 'a', targetBytes: 64 * MiB });
    expect(ran).toHaveLength(1);
    expect(result.steps).toEqual([{ name: 'cgroup_reclaim', status: 'failed', error: { code: 'GOV_RECLAIM_PERMISSION', message: 'needs root' }, durationMs: 5 }]);
  });

  it('targets what a v2 cgroup holds as file cache, less shmem, when no target is given', async () => {
    const { executor, ran } = fakeExecutor({ stat: 'anon 1048576\nfile 734003200\nshmem 104857600\n' });
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1000, 3000)), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/abc' });
    expect(ran).toEqual([{ kind: 'memory_reclaim', cgroup: 'docker/abc', bytes: 629_145_600, swappiness: true }]);
    expect(result.steps[0]?.detail).toBe(
      '{"kind":"memory_reclaim","cgroup":"docker/abc","bytes":629145600,"swappiness":true}; target 629145600 bytes: what the cgroup holds as reclaimable cache',
    );
  });

  it('skips a cgroup with less than 1 MiB of cache to give back', async () => {
    const { executor, ran } = fakeExecutor({ stat: 'anon 1048576\nfile 4096\nshmem 0\n' });
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1000, 3000)), now: steppingClock(), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/abc' });
    expect(ran).toEqual([]);
    expect(result.steps).toEqual([{ name: 'cgroup_reclaim', status: 'skipped', detail: 'nothing to reclaim: 4096 bytes of reclaimable cache, less than 1 MiB', durationMs: 5 }]);
  });

  it('uses memory.force_empty for a cgroup where only v1 is mounted, and says the target does not apply', async () => {
    const { executor, ran } = fakeExecutor({ layout: { v2Memory: null, v1Memory: '/sys/fs/cgroup/memory' } });
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1000, 3000)), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: 'docker/abc', targetBytes: 64 * MiB });
    expect(ran).toEqual([{ kind: 'force_empty', cgroup: 'docker/abc' }]);
    expect(result.steps[0]?.detail).toBe('{"kind":"force_empty","cgroup":"docker/abc"}; cgroup v1 memory.force_empty reclaims all it can; a byte target does not apply');
  });

  it('records a failed step and keeps going; the call resolves', async () => {
    const { executor, ran } = fakeExecutor({
      fail: (action) => (action.kind === 'sync' ? new ReclaimError('GOV_RECLAIM_TIMEOUT', 'sync did not finish within 60000 ms', { timedOut: true }) : undefined),
    });
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000), memory(1200, 2800)), now: steppingClock(), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'drop_caches', level: 2 });
    expect(ran).toEqual([{ kind: 'sync' }, { kind: 'drop_caches', level: 2 }]);
    expect(result.steps).toEqual([
      { name: 'sync', status: 'failed', error: { code: 'GOV_RECLAIM_TIMEOUT', message: 'sync did not finish within 60000 ms' }, durationMs: 5 },
      { name: 'drop_caches', status: 'ok', detail: '{"kind":"drop_caches","level":2}', durationMs: 5 },
    ]);
  });

  it('records a step that outlives its timeout as GOV_RECLAIM_TIMEOUT', async () => {
    const { executor } = fakeExecutor({ hang: (action) => action.kind === 'compact_memory' });
    let fire: (() => void) | undefined;
    const reclaimer = createReclaimer({
      executor,
      readMemory: readings(memory(1000, 3000), memory(1000, 3000)),
      now: steppingClock(),
      lock: createReclaimLock(),
      stepTimeoutMs: 30_000,
      timers: { setTimeout: (callback) => (fire = callback), clearTimeout: () => {} },
    });
    const pending = reclaimer.reclaim({ method: 'compact_memory' });
    await new Promise((resolve) => setImmediate(resolve));
    fire?.();
    expect((await pending).steps).toEqual([
      { name: 'compact_memory', status: 'failed', error: { code: 'GOV_RECLAIM_TIMEOUT', message: 'compact_memory did not finish within 30000 ms' }, durationMs: 5 },
    ]);
  });

  it('refuses an invalid request before anything runs', async () => {
    const { executor, ran } = fakeExecutor();
    let reads = 0;
    const reclaimer = createReclaimer({ executor, readMemory: async () => (reads++, memory(1, 1)), lock: createReclaimLock() });
    await expect(reclaimer.reclaim({ method: 'cgroup_reclaim', targetBytes: 1.5 })).rejects.toMatchObject({ code: 'GOV_RECLAIM_INVALID_TARGET' });
    await expect(reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup: '../../etc' })).rejects.toMatchObject({ code: 'GOV_RECLAIM_INVALID_CGROUP' });
    await expect(reclaimer.reclaim({ method: 'shutdown' } as never)).rejects.toMatchObject({ code: 'GOV_RECLAIM_INVALID_METHOD' });
    expect(ran).toEqual([]);
    expect(reads).toBe(0);
  });

  it('still resolves when memory cannot be read', async () => {
    const { executor } = fakeExecutor();
    const reclaimer = createReclaimer({ executor, readMemory: readings(), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'compact_memory' });
    expect([result.before, result.after, result.freedBytes, result.steps[0]?.status]).toEqual([null, null, 0, 'ok']);
  });

  it('records a dry run without running anything', async () => {
    const { executor, ran } = fakeExecutor();
    const reclaimer = createReclaimer({ executor, readMemory: readings(memory(1000, 3000)), now: steppingClock(), lock: createReclaimLock() });
    expect(await reclaimer.reclaim({ method: 'full', dryRun: true })).toEqual({
      method: 'full',
      targetBytes: null,
      steps: [
        { name: 'sync', status: 'skipped', detail: 'would {"kind":"sync"}', durationMs: 5 },
        { name: 'drop_caches', status: 'skipped', detail: 'would {"kind":"drop_caches","level":1}', durationMs: 5 },
        { name: 'compact_memory', status: 'skipped', detail: 'would {"kind":"compact_memory"}', durationMs: 5 },
      ],
      before: memory(1000, 3000),
      after: null,
      freedBytes: 0,
      freedMeasure: 'machine',
      durationMs: 35,
      dryRun: true,
    });
    expect(ran).toEqual([]);
  });

  it('treats a dry-run executor as a dry run of every request, and lists what it was asked', async () => {
    const { executor, ran } = fakeExecutor();
    const dryRun = createDryRunExecutor({ base: executor });
    const reclaimer = createReclaimer({ executor: dryRun, readMemory: readings(memory(1000, 3000)), lock: createReclaimLock() });
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', targetBytes: 2 * MiB });
    expect(result.dryRun).toBe(true);
    expect(dryRun.planned).toEqual([
      { action: { kind: 'memory_reclaim', cgroup: '', bytes: 2 * MiB, swappiness: true }, description: '{"kind":"memory_reclaim","cgroup":"","bytes":2097152,"swappiness":true}' },
    ]);
    expect(ran).toEqual([]);
  });

  it('runs one reclaim at a time: a second caller waits its turn', async () => {
    const lock = createReclaimLock();
    const order: string[] = [];
    let releaseFirst: () => void = () => {};
    const first = fakeExecutor();
    first.executor.run = async (action) => {
      order.push(`first ${action.kind} start`);
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push(`first ${action.kind} end`);
      return {};
    };
    const second = fakeExecutor();
    second.executor.run = async (action) => (order.push(`second ${action.kind}`), {});
    const one = createReclaimer({ executor: first.executor, readMemory: async () => memory(1, 1), lock });
    const two = createReclaimer({ executor: second.executor, readMemory: async () => memory(1, 1), lock, whenBusy: 'wait' });
    const running = one.reclaim({ method: 'compact_memory' });
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = two.reclaim({ method: 'compact_memory' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first compact_memory start']);
    releaseFirst();
    await Promise.all([running, waiting]);
    expect(order).toEqual(['first compact_memory start', 'first compact_memory end', 'second compact_memory']);
  });

  it('refuses a second caller with GOV_RECLAIM_BUSY when told not to wait', async () => {
    const lock = createReclaimLock();
    let releaseFirst: () => void = () => {};
    const first = fakeExecutor();
    first.executor.run = () => new Promise((resolve) => (releaseFirst = () => resolve({})));
    const second = fakeExecutor();
    const one = createReclaimer({ executor: first.executor, readMemory: async () => memory(1, 1), lock });
    const two = createReclaimer({ executor: second.executor, readMemory: async () => memory(1, 1), lock, whenBusy: 'fail' });
    const running = one.reclaim({ method: 'compact_memory' });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(two.reclaim({ method: 'compact_memory' })).rejects.toEqual(
      new ReclaimError('GOV_RECLAIM_BUSY', 'another reclaim is running in this process; try again when it has finished'),
    );
    expect(second.ran).toEqual([]);
    releaseFirst();
    await running;
    expect((await two.reclaim({ method: 'compact_memory' })).steps[0]?.status).toBe('ok');
  });

  it('keeps the lock until a timed-out step has really finished', async () => {
    const lock = createReclaimLock();
    let finishHung: () => void = () => {};
    let fire: (() => void) | undefined;
    const { executor } = fakeExecutor();
    executor.run = () => new Promise((resolve) => (finishHung = () => resolve({})));
    const reclaimer = createReclaimer({ executor, readMemory: async () => memory(1, 1), lock, timers: { setTimeout: (callback) => (fire = callback), clearTimeout: () => {} } });
    const pending = reclaimer.reclaim({ method: 'compact_memory' });
    await new Promise((resolve) => setImmediate(resolve));
    fire?.();
    expect((await pending).steps[0]?.error?.code).toBe('GOV_RECLAIM_TIMEOUT');
    expect(lock.busy).toBe(true);
    finishHung();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lock.busy).toBe(false);
  });
});
