import { Buffer } from 'node:buffer';
import { createExec, globalTimers, withTimeout, type MeminfoExec, type MeminfoTimers } from '../io.js';
import type { HostMemory } from '../types.js';
import { parseWindowsHost, WINDOWS_HOST_SCRIPT } from '../windows.js';
import { runHelper } from './exec-source.js';

export interface WindowsHostOptions {
  exec?: MeminfoExec;
  /** PowerShell's start-up alone can take a second or two on a busy host. */
  timeoutMs?: number;
  timers?: MeminfoTimers;
}

/**
 * The exact argv of the host query. `-EncodedCommand` (base64 of UTF-16LE) carries the script
 * through WSL interop and Windows command-line parsing without any quoting.
 */
export function windowsHostArgs(): string[] {
  return ['-NoProfile', '-NonInteractive', '-EncodedCommand', Buffer.from(WINDOWS_HOST_SCRIPT, 'utf16le').toString('base64')];
}

/**
 * Reads Windows memory and the `vmmem`/`vmmemWSL` working set through `powershell.exe`: on
 * Windows directly, from a WSL guest through interop (Windows' PATH is on the guest's PATH).
 */
export async function readWindowsHostMemory(options: WindowsHostOptions = {}): Promise<HostMemory> {
  const exec = options.exec ?? createExec();
  return withTimeout('host', 'powershell.exe (Windows host memory)', options.timeoutMs ?? 5000, options.timers ?? globalTimers, async (signal) =>
    parseWindowsHost(await runHelper(exec, 'host', 'powershell.exe', windowsHostArgs(), signal)),
  );
}
