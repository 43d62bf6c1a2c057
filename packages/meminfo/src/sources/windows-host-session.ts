import { Buffer } from 'node:buffer';
import { createHelperSession, ExecError, type Timers } from '@gov/io';
import { MeminfoSourceError } from '../errors.js';
import type { HostMemory } from '../types.js';
import { parseWindowsHost, WINDOWS_HOST_SESSION_END, WINDOWS_HOST_SESSION_ERROR, WINDOWS_HOST_SESSION_SCRIPT } from '../windows.js';

export interface WindowsHostSessionOptions {
  /** Variables added to the helper's environment (tests put a stand-in `powershell.exe` first on PATH). */
  env?: Record<string, string>;
  /** Deadline of one reading, PowerShell's start included when it has to start; default 5 s. */
  timeoutMs?: number;
  /** The most the helper may print for one reading; default 4 MiB (a reading is a few hundred bytes). */
  maxOutputBytes?: number;
  /** After SIGTERM to the helper's process group, how long before SIGKILL; default 2 s. */
  killGraceMs?: number;
  /** Wait before starting again a helper that died without answering (doubling, up to 30 min); default 30 s. */
  restartDelayMs?: number;
  timers?: Timers;
}

/** The exact argv of the host session: its fixed script, encoded as `-EncodedCommand` takes it. */
export function windowsHostSessionArgs(): string[] {
  return ['-NoProfile', '-NonInteractive', '-EncodedCommand', Buffer.from(WINDOWS_HOST_SESSION_SCRIPT, 'utf16le').toString('base64')];
}

/** Windows host memory from one long-lived PowerShell. */
export interface WindowsHostSession {
  /** One reading: the helper is started when none runs, and restarted only after it died. */
  read(): Promise<HostMemory>;
  /** Stops the helper (its process group); resolves once it is gone. */
  close(): Promise<void>;
  /** `powershell.exe` processes started so far. */
  readonly starts: number;
}

/**
 * Reads the Windows host through one `powershell.exe` that stays up between readings, instead of
 * a PowerShell start per reading (the costliest thing gov would otherwise do on the user's
 * machine). The helper is bounded: one reading at a time, its output capped, its whole process
 * group killed when it does not answer in time, and never a second one while one still runs.
 */
export function createWindowsHostSession(options: WindowsHostSessionOptions = {}): WindowsHostSession {
  const timeoutMs = options.timeoutMs ?? 5000;
  const session = createHelperSession({
    file: 'powershell.exe',
    args: windowsHostSessionArgs(),
    endMarker: WINDOWS_HOST_SESSION_END,
    ...(options.env ? { env: options.env } : {}),
    ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(options.restartDelayMs === undefined ? {} : { restartDelayMs: options.restartDelayMs }),
    ...(options.timers ? { timers: options.timers } : {}),
  });
  return {
    async read() {
      let lines: string[];
      try {
        lines = await session.request(timeoutMs);
      } catch (error) {
        const reason = error instanceof ExecError && error.errno === 'ENOENT' ? 'powershell.exe is not on PATH' : (error as Error).message;
        const timedOut = error instanceof ExecError && error.signal === 'SIGTERM';
        throw new MeminfoSourceError(timedOut ? reason : `cannot read the Windows host: ${reason}`, { code: timedOut ? 'GOV_MEMINFO_TIMEOUT' : 'GOV_MEMINFO_EXEC_FAILED', source: 'host', cause: error });
      }
      const failed = lines.find((line) => line.startsWith(WINDOWS_HOST_SESSION_ERROR));
      if (failed !== undefined) {
        throw new MeminfoSourceError(`powershell.exe could not read the host: ${failed.slice(WINDOWS_HOST_SESSION_ERROR.length).slice(0, 200)}`, { code: 'GOV_MEMINFO_EXEC_FAILED', source: 'host' });
      }
      return parseWindowsHost(lines.join('\n'));
    },
    close: () => session.close(),
    get starts() {
      return session.starts;
    },
  };
}
