import { parseCpuTimes } from '../cpu.js';
import { MeminfoSourceError } from '../errors.js';
import { createExec, globalTimers, withTimeout, type MeminfoExec, type MeminfoTimers } from '../io.js';
import { parseLinuxMemory } from '../meminfo.js';
import { parsePressure } from '../pressure.js';
import type { CpuTimes, LinuxMemory, Pressure, Vmstat } from '../types.js';
import { parseVmstat } from '../vmstat.js';
import { runHelper } from './exec-source.js';

export interface WslSourceOptions {
  /** The WSL distro to read, e.g. `Ubuntu-24.04`. */
  distro: string;
  exec?: MeminfoExec;
  timeoutMs?: number;
  timers?: MeminfoTimers;
}

// WSL's own rule for distro names: letters, digits, '.', '_' and '-'.
const DISTRO = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Refuses a distro name that is not a plain WSL name, before anything runs. */
export function assertDistroName(distro: unknown): asserts distro is string {
  if (typeof distro !== 'string' || !DISTRO.test(distro)) {
    throw new MeminfoSourceError(`${JSON.stringify(distro) ?? String(distro)} is not a WSL distro name (letters, digits, ".", "_", "-")`, {
      code: 'GOV_MEMINFO_INVALID_DISTRO',
      source: 'wsl',
    });
  }
}

/** The exact argv `wsl.exe` gets to print one file of a distro; the path is one of a fixed few. */
export function wslCatArgs(distro: string, path: '/proc/meminfo' | '/proc/pressure/memory' | '/proc/vmstat' | '/proc/stat'): string[] {
  assertDistroName(distro);
  return ['-d', distro, '-e', 'cat', path];
}

async function readThroughWsl<T>(options: WslSourceOptions, source: string, path: Parameters<typeof wslCatArgs>[1], parse: (text: string) => T): Promise<T> {
  const args = wslCatArgs(options.distro, path);
  const exec = options.exec ?? createExec();
  return withTimeout(source, `wsl.exe -d ${options.distro} -e cat ${path}`, options.timeoutMs ?? 5000, options.timers ?? globalTimers, async (signal) =>
    parse(await runHelper(exec, source, 'wsl.exe', args, signal)),
  );
}

/** From Windows: `wsl.exe -d <distro> -e cat /proc/meminfo`, parsed. */
export function readLinuxMemoryThroughWsl(options: WslSourceOptions): Promise<LinuxMemory> {
  return readThroughWsl(options, 'linux', '/proc/meminfo', parseLinuxMemory);
}

/** From Windows: the distro's `/proc/pressure/memory`. */
export function readPressureThroughWsl(options: WslSourceOptions): Promise<Pressure> {
  return readThroughWsl(options, 'pressure', '/proc/pressure/memory', (text) => parsePressure(text));
}

/** From Windows: the distro's `/proc/vmstat` counters. */
export function readVmstatThroughWsl(options: WslSourceOptions): Promise<Vmstat> {
  return readThroughWsl(options, 'vmstat', '/proc/vmstat', parseVmstat);
}

/** From Windows: the distro's CPU times (`/proc/stat`). */
export function readCpuTimesThroughWsl(options: WslSourceOptions): Promise<CpuTimes> {
  return readThroughWsl(options, 'cpu', '/proc/stat', parseCpuTimes);
}
