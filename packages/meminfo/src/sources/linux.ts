import { withDeadline, type Timers } from '@gov/io';
import { nodeFs, readText, sourceTimeout, type MeminfoFs } from '../io.js';
import { parseLinuxMemory } from '../meminfo.js';
import type { LinuxMemory } from '../types.js';

export interface ReadLinuxMemoryOptions {
  fs?: MeminfoFs;
  /** Where procfs is mounted; `/proc` unless reading another root. */
  procRoot?: string;
  timeoutMs?: number;
  timers?: Timers;
}

/** Reads and parses the local `/proc/meminfo`. Throws `MeminfoSourceError` or `MeminfoParseError`. */
export async function readLinuxMemory(options: ReadLinuxMemoryOptions = {}): Promise<LinuxMemory> {
  const path = `${options.procRoot ?? '/proc'}/meminfo`;
  const timeoutMs = options.timeoutMs ?? 1000;
  return withDeadline(timeoutMs, async (signal) => parseLinuxMemory(await readText(options.fs ?? nodeFs, path, 'linux', signal)), {
    timers: options.timers,
    timeoutError: () => sourceTimeout('linux', path, timeoutMs),
  });
}
