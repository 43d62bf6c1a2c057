import { createExec, withDeadline, wslDistroNameProblem, type Exec, type Timers } from '@gov/io';
import { parseCpuTimes } from '../cpu.js';
import { MeminfoSourceError } from '../errors.js';
import { sourceTimeout } from '../io.js';
import { parseLinuxMemory } from '../meminfo.js';
import { parsePressure } from '../pressure.js';
import type { CpuTimes, LinuxMemory, Pressure, Vmstat } from '../types.js';
import { parseVmstat } from '../vmstat.js';
import { runHelper } from './exec-source.js';

export interface WslSourceOptions {
  /** The WSL distro to read, e.g. `Ubuntu-24.04`. */
  distro: string;
  exec?: Exec;
  timeoutMs?: number;
  timers?: Timers;
}

/** The exact argv `wsl.exe` gets to print one file of a distro; the path is one of a fixed few. Refuses a distro name that is not a plain WSL name. */
export function wslCatArgs(distro: string, path: '/proc/meminfo' | '/proc/pressure/memory' | '/proc/vmstat' | '/proc/stat'): string[] {
  const problem = wslDistroNameProblem(distro);
  if (problem !== null) throw new MeminfoSourceError(problem, { code: 'GOV_MEMINFO_INVALID_DISTRO', source: 'wsl' });
  return ['-d', distro, '-e', 'cat', path];
}

async function readThroughWsl<T>(options: WslSourceOptions, source: string, path: Parameters<typeof wslCatArgs>[1], parse: (text: string) => T): Promise<T> {
  const args = wslCatArgs(options.distro, path);
  const exec = options.exec ?? createExec();
  const timeoutMs = options.timeoutMs ?? 5000;
  return withDeadline(timeoutMs, async (signal) => parse(await runHelper(exec, source, 'wsl.exe', args, signal)), {
    timers: options.timers,
    timeoutError: () => sourceTimeout(source, `wsl.exe -d ${options.distro} -e cat ${path}`, timeoutMs),
  });
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
