import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStandIns } from '../test/stand-in.js';
import { createExec, type Timers } from '@gov/io';
import type { MeminfoFs } from './io.js';
import { parseLinuxMemory } from './meminfo.js';
import { parsePressure } from './pressure.js';
import { createSnapshotSource, readSnapshot } from './snapshot.js';
import { parseVmstat } from './vmstat.js';
import { parseCpuTimes } from './cpu.js';
import { wasteBytes } from './waste.js';

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const now = () => new Date('2026-11-22T03:00:00.000Z');

let proc: string;
let standIns: Awaited<ReturnType<typeof createStandIns>>;
beforeEach(async () => {
  proc = await mkdtemp(join(tmpdir(), 'gov-proc-'));
  await mkdir(join(proc, 'pressure'));
  standIns = await createStandIns();
});
afterEach(async () => {
  await rm(proc, { recursive: true, force: true });
  await standIns.remove();
});

async function procFiles(files: { meminfo?: string; pressure?: string; vmstat?: string; stat?: string }): Promise<void> {
  if (files.meminfo) await copyFile(fixturePath(files.meminfo), join(proc, 'meminfo'));
  if (files.pressure) await copyFile(fixturePath(files.pressure), join(proc, 'pressure/memory'));
  if (files.vmstat) await copyFile(fixturePath(files.vmstat), join(proc, 'vmstat'));
  if (files.stat) await copyFile(fixturePath(files.stat), join(proc, 'stat'));
}

const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');
const readFileText = (path: string, options: { signal: AbortSignal }) => readFile(path, { encoding: 'utf8', signal: options.signal });

describe('readSnapshot', () => {
  it('on linux: meminfo, PSI, vmstat, CPU times, and the machine itself as host', async () => {
    await procFiles({ meminfo: 'linux-6.18-cgroup1-vm.meminfo', pressure: 'linux-6.18.pressure', vmstat: 'linux-6.18.vmstat', stat: 'linux-6.18.stat' });
    const linux = parseLinuxMemory(fixture('linux-6.18-cgroup1-vm.meminfo'));
    expect(await readSnapshot({ environment: 'linux', procRoot: proc, now })).toEqual({
      at: '2026-11-22T03:00:00.000Z',
      environment: 'linux',
      linux,
      pressure: parsePressure(fixture('linux-6.18.pressure')),
      vmstat: parseVmstat(fixture('linux-6.18.vmstat')),
      cpu: parseCpuTimes(fixture('linux-6.18.stat')),
      host: { total: linux.total, available: linux.available, vmmem: null },
      degraded: [],
    });
  });

  it('lists a kernel without PSI as degraded, and keeps the rest', async () => {
    await procFiles({ meminfo: 'linux-3.2-debian7.meminfo', vmstat: 'linux-4.4-ubuntu16.vmstat', stat: 'linux-6.18.stat' });
    const snapshot = await readSnapshot({ environment: 'linux', procRoot: proc, now });
    expect([snapshot.linux?.total, snapshot.pressure, snapshot.vmstat?.pgmajfault, snapshot.degraded]).toEqual([
      2060420 * 1024,
      null,
      52190,
      [{ source: 'pressure', code: 'GOV_MEMINFO_UNSUPPORTED', message: `${proc}/pressure/memory does not exist on this kernel` }],
    ]);
  });

  it('lists an empty /proc/vmstat as a degraded source, not as a kernel without counters', async () => {
    await procFiles({ meminfo: 'linux-6.18-cgroup1-vm.meminfo', pressure: 'linux-6.18.pressure', stat: 'linux-6.18.stat' });
    await writeFile(join(proc, 'vmstat'), '');
    const snapshot = await readSnapshot({ environment: 'linux', procRoot: proc, now });
    expect([snapshot.vmstat, snapshot.degraded]).toEqual([null, [{ source: 'vmstat', code: 'GOV_MEMINFO_PARSE', message: '/proc/vmstat holds no counters' }]]);
  });

  it('never rejects: broken and missing sources are each listed, in a fixed order', async () => {
    await writeFile(join(proc, 'meminfo'), 'MemTotal: lots\n');
    await writeFile(join(proc, 'pressure/memory'), 'some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n');
    const snapshot = await readSnapshot({ environment: 'linux', procRoot: proc, now });
    expect(snapshot).toEqual({
      at: '2026-11-22T03:00:00.000Z',
      environment: 'linux',
      linux: null,
      pressure: { some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 5 }, full: null },
      vmstat: null,
      cpu: null,
      host: null,
      degraded: [
        { source: 'linux', code: 'GOV_MEMINFO_PARSE', message: '/proc/meminfo line 1: expected "Name: <number> kB", got "MemTotal: lots"' },
        { source: 'vmstat', code: 'GOV_MEMINFO_UNSUPPORTED', message: `${proc}/vmstat does not exist on this kernel` },
        { source: 'cpu', code: 'GOV_MEMINFO_UNSUPPORTED', message: `${proc}/stat does not exist on this kernel` },
      ],
    });
  });

  it('gives up on a local file that hangs at the shared deadline and keeps the others', async () => {
    let fire: (() => void) | undefined;
    const timers: Timers = { setTimeout: (callback) => (fire = callback), clearTimeout: () => undefined };
    let hungSignal: AbortSignal | undefined;
    const fs: MeminfoFs = {
      readFile: async (path, options) => {
        if (path === '/proc/vmstat') return new Promise<string>(() => (hungSignal = options.signal));
        if (path === '/proc/stat') return fixture('linux-6.18.stat');
        return path === '/proc/meminfo' ? fixture('linux-6.18-cgroup1-vm.meminfo') : fixture('linux-6.18.pressure');
      },
    };
    const pending = readSnapshot({ environment: 'linux', fs, timers, timeoutMs: 750, now });
    await new Promise((resolve) => setImmediate(resolve));
    fire?.();
    const snapshot = await pending;
    expect([snapshot.linux?.total, snapshot.pressure?.some.totalUs, snapshot.vmstat, snapshot.degraded, hungSignal?.aborted]).toEqual([
      25276502016,
      0,
      null,
      [{ source: 'vmstat', code: 'GOV_MEMINFO_TIMEOUT', message: '/proc/vmstat did not answer within 750 ms' }],
      true,
    ]);
  });

  it('in a WSL guest: reads Windows through powershell.exe interop', async () => {
    await procFiles({ meminfo: 'wsl2-5.15.167.4-microsoft-standard-WSL2.meminfo', pressure: 'linux-6.18.pressure', vmstat: 'linux-6.18.vmstat', stat: 'linux-6.18.stat' });
    await standIns.add('powershell.exe', `cat '${fixturePath('windows-host-script.stdout')}'`);
    const snapshot = await readSnapshot({ environment: 'wsl-guest', procRoot: proc, exec: createExec({ env: standIns.env }), now });
    expect([snapshot.environment, snapshot.linux?.total, snapshot.host, snapshot.degraded]).toEqual([
      'wsl-guest',
      16694403072,
      { total: 33436588 * 1024, available: 14826132 * 1024, vmmem: 9126805504 },
      [],
    ]);
  });

  it('in a WSL guest without interop: host is degraded, Linux is still read', async () => {
    await procFiles({ meminfo: 'wsl2-5.15.167.4-microsoft-standard-WSL2.meminfo', pressure: 'linux-6.18.pressure', vmstat: 'linux-6.18.vmstat', stat: 'linux-6.18.stat' });
    const snapshot = await readSnapshot({ environment: 'wsl-guest', procRoot: proc, exec: createExec({ env: { PATH: standIns.dir } }), now });
    expect([snapshot.linux?.available, snapshot.host, snapshot.degraded]).toEqual([
      11682000896,
      null,
      [{ source: 'host', code: 'GOV_MEMINFO_EXEC_FAILED', message: 'cannot run powershell.exe: powershell.exe is not on PATH' }],
    ]);
  });

  it('on windows: reads the distro through wsl.exe and the host through powershell.exe', async () => {
    await standIns.add(
      'wsl.exe',
      `case "$5" in /proc/meminfo) cat '${fixturePath('wsl2-5.15.167.4-microsoft-standard-WSL2.meminfo')}';; /proc/pressure/memory) cat '${fixturePath('linux-6.18.pressure')}';; /proc/vmstat) cat '${fixturePath('linux-6.18.vmstat')}';; /proc/stat) cat '${fixturePath('linux-6.18.stat')}';; esac`,
    );
    await standIns.add('powershell.exe', `cat '${fixturePath('windows-host-script-no-vm.stdout')}'`);
    const snapshot = await readSnapshot({ environment: 'windows', distro: 'Ubuntu-24.04', exec: createExec({ env: standIns.env }), now });
    expect(snapshot).toEqual({
      at: '2026-11-22T03:00:00.000Z',
      environment: 'windows',
      linux: parseLinuxMemory(fixture('wsl2-5.15.167.4-microsoft-standard-WSL2.meminfo')),
      pressure: parsePressure(fixture('linux-6.18.pressure')),
      vmstat: parseVmstat(fixture('linux-6.18.vmstat')),
      cpu: parseCpuTimes(fixture('linux-6.18.stat')),
      host: { total: 16601400 * 1024, available: 2712884 * 1024, vmmem: null },
      degraded: [],
    });
  });

  it('on windows without a distro: Linux is degraded, the host is still read', async () => {
    await standIns.add('powershell.exe', `cat '${fixturePath('windows-host-script.stdout')}'`);
    const snapshot = await readSnapshot({ environment: 'windows', exec: createExec({ env: standIns.env }), now });
    expect([snapshot.linux, snapshot.host?.vmmem, snapshot.degraded]).toEqual([
      null,
      9126805504,
      [{ source: 'linux', code: 'GOV_MEMINFO_INVALID_DISTRO', message: 'no WSL distro given: reading Linux memory from Windows needs one' }],
    ]);
  });

  it('reads this machine', async () => {
    const snapshot = await readSnapshot();
    expect([snapshot.environment, snapshot.degraded, snapshot.linux !== null && snapshot.linux.total > 0]).toEqual(['linux', [], true]);
  });
});

describe('wasteBytes', () => {
  const linux = parseLinuxMemory('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 0 kB\nCached: 400 kB\nShmem: 0 kB\n');
  it('is the vmmem working set minus what applications hold', () => {
    expect([
      wasteBytes({ linux, host: { total: 4096 * 1024, available: 0, vmmem: 900 * 1024 } }),
      wasteBytes({ linux, host: { total: 4096 * 1024, available: 0, vmmem: 100 * 1024 } }),
      wasteBytes({ linux, host: { total: 4096 * 1024, available: 0, vmmem: null } }),
      wasteBytes({ linux: null, host: { total: 1, available: 0, vmmem: 1 } }),
    ]).toEqual([400 * 1024, 0, null, null]);
  });
});

describe('createSnapshotSource', () => {
  it('detects the environment on the first read only', async () => {
    await procFiles({ meminfo: 'linux-6.18-cgroup1-vm.meminfo', pressure: 'linux-6.18.pressure', vmstat: 'linux-6.18.vmstat', stat: 'linux-6.18.stat' });
    await mkdir(join(proc, 'sys/kernel'), { recursive: true });
    await writeFile(join(proc, 'sys/kernel/osrelease'), '6.18.44-fc\n');
    const reads: string[] = [];
    const fs: MeminfoFs = {
      readFile: (path, options) => {
        reads.push(path.slice(proc.length));
        return readFileText(path, options);
      },
    };
    const source = createSnapshotSource({ fs, procRoot: proc, now });
    const first = await source.readSnapshot();
    const second = await source.readSnapshot();
    expect([first.environment, second.environment, first.degraded, second.degraded]).toEqual(['linux', 'linux', [], []]);
    expect(reads.filter((path) => path.startsWith('/sys/')).sort()).toEqual([
      '/sys/fs/binfmt_misc/WSLInterop',
      '/sys/fs/binfmt_misc/WSLInterop-late',
      '/sys/kernel/osrelease',
    ]);
    expect(reads.filter((path) => path === '/meminfo')).toHaveLength(2);
  });

  it('reads the files it keeps open, answering as readSnapshot does, a missing or broken file degraded alike', async () => {
    await procFiles({ meminfo: 'linux-6.18-cgroup1-vm.meminfo', vmstat: 'linux-6.18.vmstat', stat: 'linux-6.18.stat' });
    await writeFile(join(proc, 'stat'), 'intr 1 2 3\n');
    const source = createSnapshotSource({ environment: 'linux', procRoot: proc, now });
    try {
      const kept = await source.readSnapshot();
      expect(kept).toEqual(await readSnapshot({ environment: 'linux', procRoot: proc, now }));
      expect(kept.degraded).toEqual([
        { source: 'pressure', code: 'GOV_MEMINFO_UNSUPPORTED', message: `${join(proc, 'pressure/memory')} does not exist on this kernel` },
        { source: 'cpu', code: 'GOV_MEMINFO_PARSE', message: '/proc/stat line 1: expected the all-CPU line "cpu  user nice system idle …", got "intr 1 2 3"' },
      ]);
      // Rewritten in place (as the kernel does): the next read sees the new text through the same descriptor.
      await procFiles({ pressure: 'linux-6.18.pressure' });
      await writeFile(join(proc, 'meminfo'), fixture('linux-3.2-debian7.meminfo'));
      const next = await source.readSnapshot();
      expect([next.linux, next.pressure, next.degraded.map((entry) => entry.source)]).toEqual([parseLinuxMemory(fixture('linux-3.2-debian7.meminfo')), parsePressure(fixture('linux-6.18.pressure')), ['cpu']]);
    } finally {
      source.close();
    }
  });
});
