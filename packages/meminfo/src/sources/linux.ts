import { globalTimers, nodeFs, readText, withTimeout, type MeminfoFs, type MeminfoTimers } from '../io.js';
import { parseLinuxMemory } from '../meminfo.js';
import type { LinuxMemory } from '../types.js';

export interface ReadLinuxMemoryOptions {
  fs?: MeminfoFs;
  /** Where procfs is mounted; `/proc` unless reading another root. */
  procRoot?: string;
  timeoutMs?: number;
  timers?: MeminfoTimers;
}

/** Reads and parses the local `/proc/meminfo`. Throws `MeminfoSourceError` or `MeminfoParseError`. */
export async function readLinuxMemory(options: ReadLinuxMemoryOptions = {}): Promise<LinuxMemory> {
  const path = `${options.procRoot ?? '/proc'}/meminfo`;
  return withTimeout('linux', path, options.timeoutMs ?? 1000, options.timers ?? globalTimers, async (signal) =>
    parseLinuxMemory(await readText(options.fs ?? nodeFs, path, 'linux', signal)),
  );
}
