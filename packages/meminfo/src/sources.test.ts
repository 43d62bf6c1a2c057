import { Buffer } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStandIns } from '../test/stand-in.js';
import { MeminfoSourceError } from './errors.js';
import { createExec, type Exec, type Timers } from '@gov/io';
import type { MeminfoFs } from './io.js';
import { readLinuxMemory } from './sources/linux.js';
import { readWindowsHostMemory, windowsHostArgs } from './sources/windows-host.js';
import { readCpuTimesThroughWsl, readLinuxMemoryThroughWsl, readPressureThroughWsl, readVmstatThroughWsl, wslCatArgs } from './sources/wsl.js';

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Timers whose deadline passes at once: the read under test never answers. */
const expiredTimers: Timers = { setTimeout: (callback) => queueMicrotask(callback), clearTimeout: () => undefined };

let standIns: Awaited<ReturnType<typeof createStandIns>>;
beforeEach(async () => {
  standIns = await createStandIns();
});
afterEach(async () => {
  await standIns.remove();
});

describe('readLinuxMemory', () => {
  it('reads meminfo under procRoot', async () => {
    const read: string[] = [];
    const fs: MeminfoFs = { readFile: async (path) => (read.push(path), 'MemTotal: 8 kB\nMemFree: 2 kB\nMemAvailable: 6 kB\n') };
    const memory = await readLinuxMemory({ fs, procRoot: '/host/proc' });
    expect([read, memory.total, memory.used]).toEqual([['/host/proc/meminfo'], 8192, 2048]);
  });

  it('fails with GOV_MEMINFO_READ_FAILED naming the path', async () => {
    await expect(readLinuxMemory({ procRoot: '/nonexistent-proc' })).rejects.toThrowError(
      new MeminfoSourceError('cannot read /nonexistent-proc/meminfo: ENOENT', { code: 'GOV_MEMINFO_READ_FAILED', source: 'linux' }),
    );
  });

  it('gives up at its deadline and aborts the read', async () => {
    let signal: AbortSignal | undefined;
    const fs: MeminfoFs = { readFile: (_path, options) => ((signal = options.signal), new Promise(() => undefined)) };
    await expect(readLinuxMemory({ fs, timers: expiredTimers, timeoutMs: 250 })).rejects.toThrowError(
      new MeminfoSourceError('/proc/meminfo did not answer within 250 ms', { code: 'GOV_MEMINFO_TIMEOUT', source: 'linux' }),
    );
    expect(signal?.aborted).toBe(true);
  });
});

describe('through wsl.exe (a stand-in on PATH)', () => {
  it('runs exactly wsl.exe -d <distro> -e cat /proc/meminfo', async () => {
    await standIns.add('wsl.exe', `cat '${fixturePath('wsl2-5.15.167.4-microsoft-standard-WSL2.meminfo')}'`);
    const memory = await readLinuxMemoryThroughWsl({ distro: 'Ubuntu-24.04', exec: createExec({ env: standIns.env }) });
    expect(await standIns.argv('wsl.exe')).toEqual(['-d', 'Ubuntu-24.04', '-e', 'cat', '/proc/meminfo']);
    expect([memory.total, memory.available, memory.swapUsed]).toEqual([16694403072, 11682000896, 161705984]);
  });

  it('reads PSI, vmstat and CPU times with the same fixed argv shape', async () => {
    await standIns.add('wsl.exe', `case "$5" in /proc/pressure/memory) echo 'some avg10=0.50 avg60=0.10 avg300=0.00 total=99';; /proc/vmstat) echo 'pgmajfault 7';; /proc/stat) echo 'cpu  10 0 5 100 3 0 2 0 0 0';; esac`);
    const exec = createExec({ env: standIns.env });
    const pressure = await readPressureThroughWsl({ distro: 'Debian', exec });
    expect(await standIns.argv('wsl.exe')).toEqual(['-d', 'Debian', '-e', 'cat', '/proc/pressure/memory']);
    const vmstat = await readVmstatThroughWsl({ distro: 'Debian', exec });
    expect(await standIns.argv('wsl.exe')).toEqual(['-d', 'Debian', '-e', 'cat', '/proc/vmstat']);
    const cpu = await readCpuTimesThroughWsl({ distro: 'Debian', exec });
    expect(await standIns.argv('wsl.exe')).toEqual(['-d', 'Debian', '-e', 'cat', '/proc/stat']);
    expect([pressure.some.avg10, pressure.full, vmstat.pgmajfault, cpu]).toEqual([0.5, null, 7, { busy: 17, total: 120 }]);
  });

  it('decodes the UTF-16LE error wsl.exe prints for an unknown distro', async () => {
    const messageFile = join(standIns.dir, 'message.utf16');
    await writeFile(messageFile, Buffer.from('There is no distribution with the supplied name.\r\nError code: Wsl/Service/WSL_E_DISTRO_NOT_FOUND\r\n', 'utf16le'));
    await standIns.add('wsl.exe', `cat '${messageFile}' >&2; exit 1`);
    await expect(readLinuxMemoryThroughWsl({ distro: 'Nope', exec: createExec({ env: standIns.env }) })).rejects.toThrowError(
      new MeminfoSourceError('wsl.exe exited with code 1: There is no distribution with the supplied name.', {
        code: 'GOV_MEMINFO_EXEC_FAILED',
        source: 'linux',
        exitCode: 1,
      }),
    );
  });

  it('refuses a distro name that is not plain, before running anything', async () => {
    await standIns.add('wsl.exe', 'exit 0');
    for (const distro of ['Ubuntu; rm -rf /', '-u root', '', 'a b', '../x']) {
      await expect(readLinuxMemoryThroughWsl({ distro, exec: createExec({ env: standIns.env }) })).rejects.toMatchObject({
        name: 'MeminfoSourceError',
        code: 'GOV_MEMINFO_INVALID_DISTRO',
      });
    }
    await expect(standIns.argv('wsl.exe')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => wslCatArgs('-d', '/proc/meminfo')).toThrowError('WSL distribution "-d" is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"');
  });

  it('reports wsl.exe missing from PATH', async () => {
    await expect(readLinuxMemoryThroughWsl({ distro: 'Ubuntu', exec: createExec({ env: { PATH: standIns.dir } }) })).rejects.toThrowError(
      new MeminfoSourceError('cannot run wsl.exe: wsl.exe is not on PATH', { code: 'GOV_MEMINFO_EXEC_FAILED', source: 'linux' }),
    );
  });

  it('gives up at its deadline and aborts the program', async () => {
    let signal: AbortSignal | undefined;
    const exec: Exec = (_file, _args, options) => ((signal = options?.signal), new Promise<never>(() => undefined));
    await expect(readLinuxMemoryThroughWsl({ distro: 'Ubuntu', exec, timers: expiredTimers, timeoutMs: 3000 })).rejects.toThrowError(
      new MeminfoSourceError('wsl.exe -d Ubuntu -e cat /proc/meminfo did not answer within 3000 ms', { code: 'GOV_MEMINFO_TIMEOUT', source: 'linux' }),
    );
    expect(signal?.aborted).toBe(true);
  });
});

describe('the Windows host through powershell.exe (a stand-in on PATH)', () => {
  it('runs a fixed, encoded script and parses its two JSON lines', async () => {
    await standIns.add('powershell.exe', `cat '${fixturePath('windows-host-script.stdout')}'`);
    const host = await readWindowsHostMemory({ exec: createExec({ env: standIns.env }) });
    const argv = await standIns.argv('powershell.exe');
    expect(argv.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-EncodedCommand']);
    expect(argv).toHaveLength(4);
    expect(Buffer.from(argv[3] as string, 'base64').toString('utf16le')).toBe(
      "$ErrorActionPreference = 'Stop'; " +
        'ConvertTo-Json -Compress -InputObject (Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object TotalVisibleMemorySize,FreePhysicalMemory); ' +
        'ConvertTo-Json -Compress -InputObject @(Get-Process -Name vmmem,vmmemWSL -ErrorAction SilentlyContinue | Select-Object Name,Id,WorkingSet64)',
    );
    expect(argv).toEqual(windowsHostArgs());
    expect(host).toEqual({ total: 33436588 * 1024, available: 14826132 * 1024, vmmem: 9126805504 });
  });

  it('reports a failing PowerShell with its first error line', async () => {
    await standIns.add('powershell.exe', `echo 'Get-CimInstance : Access denied' >&2; exit 1`);
    await expect(readWindowsHostMemory({ exec: createExec({ env: standIns.env }) })).rejects.toThrowError(
      new MeminfoSourceError('powershell.exe exited with code 1: Get-CimInstance : Access denied', {
        code: 'GOV_MEMINFO_EXEC_FAILED',
        source: 'host',
        exitCode: 1,
      }),
    );
  });
});
