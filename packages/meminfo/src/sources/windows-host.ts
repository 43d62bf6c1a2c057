import { Buffer } from 'node:buffer';
import { createExec, withDeadline, type Exec, type Timers } from '@gov/io';
import { sourceTimeout } from '../io.js';
import type { HostMemory } from '../types.js';
import { parseWindowsHost, WINDOWS_HOST_SCRIPT } from '../windows.js';
import { runHelper } from './exec-source.js';

export interface WindowsHostOptions {
  exec?: Exec;
  /** PowerShell's start-up alone can take a second or two on a busy host. */
  timeoutMs?: number;
  timers?: Timers;
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
  const timeoutMs = options.timeoutMs ?? 5000;
  return withDeadline(timeoutMs, async (signal) => parseWindowsHost(await runHelper(exec, 'host', 'powershell.exe', windowsHostArgs(), signal)), {
    timers: options.timers,
    timeoutError: () => sourceTimeout('host', 'powershell.exe (Windows host memory)', timeoutMs),
  });
}
