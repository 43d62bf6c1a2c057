import { parseLinuxMemory, parsePressure, parseVmstat, type ReadSnapshotOptions, type Snapshot } from '@gov/meminfo';
import { describe, expect, it } from 'vitest';
import { runMain } from '../main.js';
import { createTestIo } from '../test-io.js';
import type { GovdSummary } from '../govd-summary.js';
import { createStatusCommand } from './status.js';

const wslLinux = parseLinuxMemory(
  [
    'MemTotal: 16303128 kB',
    'MemFree: 598932 kB',
    'MemAvailable: 11408204 kB',
    'Buffers: 436320 kB',
    'Cached: 10047592 kB',
    'SwapTotal: 4194304 kB',
    'SwapFree: 4036388 kB',
    'Active(file): 3701228 kB',
    'Inactive(file): 6382196 kB',
    'Shmem: 400480 kB',
    'SReclaimable: 549628 kB',
    '',
  ].join('\n'),
);

const wslSnapshot: Snapshot = {
  at: '2026-11-22T03:00:00.000Z',
  environment: 'wsl-guest',
  linux: wslLinux,
  pressure: parsePressure('some avg10=12.50 avg60=3.10 avg300=0.80 total=52371893\nfull avg10=4.00 avg60=1.00 avg300=0.25 total=27613042\n'),
  vmstat: parseVmstat('workingset_refault_anon 12\nworkingset_refault_file 4096\npgmajfault 310\noom_kill 1\npgsteal_anon 100\npgsteal_file 900\n'),
  cpu: { busy: 400, total: 1000 },
  host: { total: 33436588 * 1024, available: 14826132 * 1024, vmmem: 9126805504 },
  degraded: [],
};

const failedSnapshot: Snapshot = {
  at: '2026-11-22T03:00:01.000Z',
  environment: 'linux',
  linux: null,
  pressure: null,
  vmstat: null,
  cpu: null,
  host: null,
  degraded: [
    { source: 'linux', code: 'GOV_MEMINFO_READ_FAILED', message: 'cannot read /proc/meminfo: EACCES' },
    { source: 'pressure', code: 'GOV_MEMINFO_UNSUPPORTED', message: '/proc/pressure/memory does not exist on this kernel' },
  ],
};

/** govd as `gov status` finds it in these tests: stopped, its last reclaim ten minutes ago. */
const stoppedGovd: GovdSummary = {
  running: false,
  url: 'http://127.0.0.1:7878',
  history: '/home/ada/.local/state/gov/history.jsonl',
  lastAction: { kind: 'reclaim', at: '2026-11-22T02:50:00.000Z', policy: 'dynamic', code: 'dynamic-waste', reason: 'waste above 500 MiB', method: 'drop_caches', targetBytes: null, freedBytes: 1073741824, durationMs: 120, dryRun: false, steps: [], advice: null },
};
const fixedGovd = { readGovd: async () => stoppedGovd, now: () => new Date('2026-11-22T03:00:00.000Z') };

function statusWith(snapshots: Snapshot[], seen: ReadSnapshotOptions[] = []) {
  let index = 0;
  return createStatusCommand({
    ...fixedGovd,
    readSnapshot: async (options) => {
      seen.push(options);
      return snapshots[Math.min(index++, snapshots.length - 1)] as Snapshot;
    },
    sleep: async () => undefined,
  });
}

describe('gov status', () => {
  it('prints an aligned breakdown in binary units, without colour off a TTY', async () => {
    const { io, stdout } = createTestIo();
    expect(await statusWith([wslSnapshot]).run({ argv: [], io })).toBe(0);
    expect(stdout()).toMatchInlineSnapshot(`
      "gov status  wsl-guest  2026-11-22T03:00:00.000Z

      Linux  15.55 GiB total
        used           4.67 GiB  30.0%  total − available
        apps           4.84 GiB  31.1%  held by applications: total − free − reclaimable
        cache         10.52 GiB  67.7%  buffers + page cache + reclaimable slab
        reclaimable   10.14 GiB  65.2%  cache that drop_caches gives back (no shared memory)
        shared       391.09 MiB   2.5%  tmpfs and shared memory
        free         584.89 MiB   3.7%  unused
        available     10.88 GiB  70.0%  for new work without swapping
        swap         154.21 MiB   3.8%  used of 4.00 GiB

      Pressure  some 12.50 3.10 0.80  full 4.00 1.00 0.25  % of time stalled, avg 10s 60s 300s
      Kernel    refaults 4096 file, 12 anon · major faults 310 · OOM kills 1 · pages reclaimed 1000 (since boot)
      Windows   14.14 GiB available of 31.89 GiB · vmmem 8.50 GiB, 3.66 GiB of it not used by Linux applications
      govd      not running (nothing answers at http://127.0.0.1:7878) · last action 10m ago: reclaim drop_caches, freed 1.00 GiB (policy dynamic)
      "
    `);
  });

  it('lists degraded sources and exits 1 when Linux memory is unknown', async () => {
    const { io, stdout } = createTestIo();
    expect(await statusWith([failedSnapshot]).run({ argv: [], io })).toBe(1);
    expect(stdout()).toMatchInlineSnapshot(`
      "gov status  linux  2026-11-22T03:00:01.000Z

      Linux  unknown: its source failed (see degraded)

      govd  not running (nothing answers at http://127.0.0.1:7878) · last action 10m ago: reclaim drop_caches, freed 1.00 GiB (policy dynamic)

      Degraded
        linux     GOV_MEMINFO_READ_FAILED  cannot read /proc/meminfo: EACCES
        pressure  GOV_MEMINFO_UNSUPPORTED  /proc/pressure/memory does not exist on this kernel
      "
    `);
  });

  it('colours on a TTY, and never with NO_COLOR', async () => {
    const tty = createTestIo({ isTTY: true });
    await statusWith([wslSnapshot]).run({ argv: [], io: tty.io });
    const noColor = createTestIo({ isTTY: true, env: { NO_COLOR: '1' } });
    await statusWith([wslSnapshot]).run({ argv: [], io: noColor.io });
    const plain = createTestIo();
    await statusWith([wslSnapshot]).run({ argv: [], io: plain.io });
    const ESC = '\u001b';
    expect(tty.stdout().startsWith(`${ESC}[1mgov status${ESC}[22m`)).toBe(true);
    expect(tty.stdout()).toContain(`some ${ESC}[33m12.50 3.10 0.80${ESC}[39m`);
    expect(noColor.stdout()).toBe(plain.stdout());
    expect(plain.stdout().includes(ESC)).toBe(false);
  });

  it('prints the whole snapshot as one JSON object with --json', async () => {
    const { io, stdout } = createTestIo();
    expect(await statusWith([wslSnapshot]).run({ argv: ['--json'], io })).toBe(0);
    expect(JSON.parse(stdout())).toEqual({
      at: '2026-11-22T03:00:00.000Z',
      environment: 'wsl-guest',
      linux: {
        total: 16694403072,
        used: 5012402176,
        free: 613306368,
        shared: 410091520,
        buffCache: 11298344960,
        available: 11682000896,
        swapTotal: 4294967296,
        swapUsed: 161705984,
        swapFree: 4133261312,
        buffers: 446791680,
        cached: 10288734208,
        sReclaimable: 562819072,
        shmem: 410091520,
        reclaimable: 10888253440,
        actualUsage: 5192843264,
        activeFile: 3790057472,
        inactiveFile: 6535368704,
      },
      pressure: { some: { avg10: 12.5, avg60: 3.1, avg300: 0.8, totalUs: 52371893 }, full: { avg10: 4, avg60: 1, avg300: 0.25, totalUs: 27613042 } },
      vmstat: { workingsetRefaultFile: 4096, workingsetRefaultAnon: 12, pgmajfault: 310, oomKill: 1, pgsteal: 1000, pgscan: null },
      cpu: { busy: 400, total: 1000 },
      host: { total: 34239066112, available: 15181959168, vmmem: 9126805504 },
      degraded: [],
      govd: stoppedGovd,
    });
    expect(stdout().endsWith('}\n')).toBe(true);
  });

  it('passes --distro to the snapshot (Linux memory read from Windows)', async () => {
    const seen: ReadSnapshotOptions[] = [];
    await statusWith([wslSnapshot], seen).run({ argv: ['--distro', 'Ubuntu-24.04', '--json'], io: createTestIo().io });
    await statusWith([wslSnapshot], seen).run({ argv: ['--json'], io: createTestIo().io });
    expect(seen).toEqual([{ distro: 'Ubuntu-24.04' }, {}]);
  });

  it('redraws in place on a TTY with --watch until the signal aborts', async () => {
    const controller = new AbortController();
    const { io, stdout } = createTestIo({ isTTY: true, env: { NO_COLOR: '1' }, signal: controller.signal });
    let frames = 0;
    const command = createStatusCommand({
      ...fixedGovd,
      readSnapshot: async () => wslSnapshot,
      sleep: async (ms, signal) => {
        expect([ms, signal]).toEqual([1000, controller.signal]);
        if (++frames === 3) controller.abort();
      },
    });
    expect(await command.run({ argv: ['--watch'], io })).toBe(0);
    const output = stdout();
    expect(output.startsWith('\u001b[?25l\u001b[H\u001b[Jgov status')).toBe(true);
    expect(output.endsWith('Ctrl-C to stop\n\u001b[?25h')).toBe(true);
    expect(output.split('\u001b[H\u001b[J')).toHaveLength(4);
  });

  it('prints one JSON line per second with --watch --json', async () => {
    const controller = new AbortController();
    const { io, stdout } = createTestIo({ signal: controller.signal });
    let frames = 0;
    const command = createStatusCommand({
      ...fixedGovd,
      readSnapshot: async () => (frames === 0 ? wslSnapshot : failedSnapshot),
      sleep: async () => {
        if (++frames === 2) controller.abort();
      },
    });
    expect(await command.run({ argv: ['--watch', '--json'], io })).toBe(0);
    const lines = stdout().trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).at)).toEqual(['2026-11-22T03:00:00.000Z', '2026-11-22T03:00:01.000Z']);
  });

  it('stops --watch at once when aborted while a snapshot is read', async () => {
    const controller = new AbortController();
    const { io, stdout } = createTestIo({ signal: controller.signal });
    const command = createStatusCommand({
      ...fixedGovd,
      readSnapshot: async () => (controller.abort(), wslSnapshot),
      sleep: async () => {
        throw new Error('must not sleep after the abort');
      },
    });
    expect(await command.run({ argv: ['--watch'], io })).toBe(0);
    expect(stdout()).toBe('');
  });

  it('rejects unknown flags with exit 2 and the usage line', async () => {
    const { io, stderr } = createTestIo();
    expect(await runMain(['status', '--bogus'], io)).toBe(2);
    expect(stderr()).toBe('gov: unknown option --bogus\nusage: gov status [--watch] [--distro NAME] [--config PATH] [--json]\n');
  });
});
