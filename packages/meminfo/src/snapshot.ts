import { createDeadline, createExec, type Deadline, type Exec, type Timers } from '@gov/io';
import { detectEnvironment } from './environment.js';
import { parseCpuTimes } from './cpu.js';
import { createKeptOpenFs } from './kept-open-fs.js';
import { MeminfoSourceError } from './errors.js';
import { isMissingFile, nodeFs, readText, sourceTimeout, type MeminfoFs } from './io.js';
import { parseLinuxMemory } from './meminfo.js';
import { parsePressure } from './pressure.js';
import { readWindowsHostMemory } from './sources/windows-host.js';
import { createWindowsHostSession, type WindowsHostSession, type WindowsHostSessionOptions } from './sources/windows-host-session.js';
import { readCpuTimesThroughWsl, readLinuxMemoryThroughWsl, readPressureThroughWsl, readVmstatThroughWsl } from './sources/wsl.js';
import type { CpuTimes, Degraded, Environment, HostMemory, LinuxMemory, Pressure, Snapshot, Vmstat } from './types.js';
import { parseVmstat } from './vmstat.js';

export interface ReadSnapshotOptions {
  /** Skips detection when the caller already knows (or a config says) where it runs. */
  environment?: Environment;
  /** The WSL distro to read on `windows`. */
  distro?: string;
  fs?: MeminfoFs;
  exec?: Exec;
  procRoot?: string;
  /** Deadline of each local file read. */
  timeoutMs?: number;
  /** Deadline of each helper program (`wsl.exe`, `powershell.exe`). */
  execTimeoutMs?: number;
  /** Whether to ask Windows for host memory in a WSL guest or on Windows (default true). */
  host?: boolean;
  now?: () => Date;
  timers?: Timers;
}

/** A file system that can answer at once (the kept-open `/proc` files): read without a promise or a timer per file. */
interface SyncMeminfoFs extends MeminfoFs {
  readFileSync(path: string): string;
}

const isSyncFs = (fs: MeminfoFs): fs is SyncMeminfoFs => typeof (fs as Partial<SyncMeminfoFs>).readFileSync === 'function';

/** What a failed read of a local file is reported as: the file missing on this kernel, or unreadable. */
function readFailure(source: string, path: string, error: unknown): unknown {
  const cause = error instanceof MeminfoSourceError ? error.cause : error;
  if (isMissingFile(cause)) return new MeminfoSourceError(`${path} does not exist on this kernel`, { code: 'GOV_MEMINFO_UNSUPPORTED', source, cause });
  if (error instanceof MeminfoSourceError) return error;
  const reason = (error as { code?: string }).code ?? (error as Error).message;
  return new MeminfoSourceError(`cannot read ${path}: ${reason}`, { code: 'GOV_MEMINFO_READ_FAILED', source, cause: error });
}

function degradedFrom(source: string, error: unknown): Degraded {
  const code = (error as { code?: unknown }).code;
  return {
    source,
    code: typeof code === 'string' && code.startsWith('GOV_') ? code : 'GOV_MEMINFO_READ_FAILED',
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Gathers everything the environment offers: Linux memory, PSI, vmstat, CPU times and host memory, each
 * with its own deadline, all at once. Never rejects for a failed source: it is `null` in the
 * snapshot and listed under `degraded` with its error code.
 */
export async function readSnapshot(options: ReadSnapshotOptions = {}): Promise<Snapshot> {
  const at = (options.now ?? (() => new Date()))();
  const environment = options.environment ?? (await detectEnvironment({ fs: options.fs ?? nodeFs, procRoot: options.procRoot ?? '/proc' }));
  return collectSnapshot(options, environment, at);
}

/** One local file read at once through a synchronous fs, parsed; `null` (and a `degraded` entry) when it fails. */
function readLocalNow<T>(fs: SyncMeminfoFs, degraded: Degraded[], source: string, path: string, parse: (text: string) => T): T | null {
  let text: string;
  try {
    text = fs.readFileSync(path);
  } catch (error) {
    degraded.push(degradedFrom(source, readFailure(source, path, error)));
    return null;
  }
  try {
    return parse(text);
  } catch (error) {
    degraded.push(degradedFrom(source, error));
    return null;
  }
}

const SOURCE_ORDER = ['linux', 'pressure', 'vmstat', 'cpu', 'host'];

function assemble(at: Date, environment: Environment, parts: { linux: LinuxMemory | null; pressure: Pressure | null; vmstat: Vmstat | null; cpu: CpuTimes | null; host: HostMemory | null }, degraded: Degraded[]): Snapshot {
  if (degraded.length > 1) degraded.sort((a, b) => SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source));
  const { linux } = parts;
  return {
    at: at.toISOString(),
    environment,
    linux,
    pressure: parts.pressure,
    vmstat: parts.vmstat,
    cpu: parts.cpu,
    // On plain Linux the host is this machine: what Linux has available is what the host has.
    host: environment === 'linux' && linux !== null ? { total: linux.total, available: linux.available, vmmem: null } : parts.host,
    degraded,
  };
}

/** `readSnapshot` once the environment is known; `readHost` replaces the one-shot `powershell.exe` run (govd's long-lived helper). */
function collectSnapshot(options: ReadSnapshotOptions, environment: Environment, at: Date, readHost?: () => Promise<HostMemory>): Snapshot | Promise<Snapshot> {
  const fs = options.fs ?? nodeFs;
  const timers = options.timers;
  const proc = options.procRoot ?? '/proc';
  const timeoutMs = options.timeoutMs ?? 1000;
  const degraded: Degraded[] = [];
  const wantsHost = options.host ?? true;

  // govd's path on every tick: the kept-open /proc files answer from kernel memory at once. A
  // synchronous read cannot be given up on, so it gets no deadline, and no promise per file.
  if (isSyncFs(fs) && environment !== 'windows') {
    const parts = {
      linux: readLocalNow(fs, degraded, 'linux', `${proc}/meminfo`, parseLinuxMemory),
      pressure: readLocalNow(fs, degraded, 'pressure', `${proc}/pressure/memory`, parsePressureFile),
      vmstat: readLocalNow(fs, degraded, 'vmstat', `${proc}/vmstat`, parseVmstat),
      cpu: readLocalNow(fs, degraded, 'cpu', `${proc}/stat`, parseCpuTimes),
      host: null as HostMemory | null,
    };
    if (environment === 'linux' || !wantsHost) return assemble(at, environment, parts, degraded);
    const host = readHost ?? (() => readWindowsHostMemory({ ...(options.exec ? { exec: options.exec } : {}), timeoutMs: options.execTimeoutMs ?? 5000, timers }));
    return host().then(
      (memory) => assemble(at, environment, { ...parts, host: memory }, degraded),
      (error: unknown) => (degraded.push(degradedFrom('host', error)), assemble(at, environment, parts, degraded)),
    );
  }
  return collectWithDeadlines(options, environment, at, { fs, timers, proc, timeoutMs, degraded, wantsHost, readHost });
}

const parsePressureFile = (text: string) => parsePressure(text);

async function collectWithDeadlines(
  options: ReadSnapshotOptions,
  environment: Environment,
  at: Date,
  context: { fs: MeminfoFs; timers: Timers | undefined; proc: string; timeoutMs: number; degraded: Degraded[]; wantsHost: boolean; readHost: (() => Promise<HostMemory>) | undefined },
): Promise<Snapshot> {
  const { fs, timers, proc, timeoutMs, degraded, wantsHost, readHost } = context;
  let exec: Exec | undefined = options.exec;
  const execOnce = () => (exec ??= createExec());

  async function attempt<T>(source: string, read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (error) {
      degraded.push(degradedFrom(source, error));
      return null;
    }
  }

  // The local files share one deadline: one timer per snapshot, not one per file.
  let deadline: Deadline | undefined;
  function readLocal<T>(source: string, path: string, parse: (text: string) => T): Promise<T | null> {
    if (isSyncFs(fs)) return Promise.resolve(readLocalNow(fs, degraded, source, path, parse));
    deadline ??= createDeadline(timeoutMs, { timers });
    const { signal } = deadline;
    const work = (async () => {
      try {
        return parse(await readText(fs, path, source, signal));
      } catch (error) {
        if (error instanceof MeminfoSourceError && isMissingFile(error.cause)) throw readFailure(source, path, error);
        throw error;
      }
    })();
    return attempt(source, () => (deadline as Deadline).race(work, () => sourceTimeout(source, path, timeoutMs)));
  }

  let linux: Promise<LinuxMemory | null>;
  let pressure: Promise<Pressure | null>;
  let vmstat: Promise<Vmstat | null>;
  let cpu: Promise<CpuTimes | null>;
  let host: Promise<HostMemory | null>;
  const execTimeoutMs = options.execTimeoutMs ?? 5000;

  if (environment === 'windows') {
    const wsl = () => ({ distro: options.distro as string, exec: execOnce(), timeoutMs: execTimeoutMs, timers });
    if (options.distro === undefined) {
      const missing = new MeminfoSourceError('no WSL distro given: reading Linux memory from Windows needs one', { code: 'GOV_MEMINFO_INVALID_DISTRO', source: 'linux' });
      linux = attempt('linux', () => Promise.reject(missing));
      pressure = Promise.resolve(null);
      vmstat = Promise.resolve(null);
      cpu = Promise.resolve(null);
    } else {
      linux = attempt('linux', () => readLinuxMemoryThroughWsl(wsl()));
      pressure = attempt('pressure', () => readPressureThroughWsl(wsl()));
      vmstat = attempt('vmstat', () => readVmstatThroughWsl(wsl()));
      cpu = attempt('cpu', () => readCpuTimesThroughWsl(wsl()));
    }
  } else {
    linux = readLocal('linux', `${proc}/meminfo`, parseLinuxMemory);
    pressure = readLocal('pressure', `${proc}/pressure/memory`, parsePressureFile);
    vmstat = readLocal('vmstat', `${proc}/vmstat`, parseVmstat);
    cpu = readLocal('cpu', `${proc}/stat`, parseCpuTimes);
  }
  if (environment === 'linux' || !wantsHost) {
    host = Promise.resolve(null);
  } else {
    host = attempt('host', readHost ?? (() => readWindowsHostMemory({ exec: execOnce(), timeoutMs: execTimeoutMs, timers })));
  }

  const [linuxMemory, pressureValue, vmstatValue, cpuTimes, hostMemory] = await Promise.all([linux, pressure, vmstat, cpu, host]).finally(() => deadline?.clear());
  return assemble(at, environment, { linux: linuxMemory, pressure: pressureValue, vmstat: vmstatValue, cpu: cpuTimes, host: hostMemory }, degraded);
}

export interface SnapshotSourceOptions extends ReadSnapshotOptions {
  /** The long-lived `powershell.exe` that reads the Windows host (WSL guest, Windows); not used with an injected `exec`. */
  hostSession?: WindowsHostSessionOptions;
}

/** A snapshot reader for a process that reads every tick (`SnapshotSource` of `@gov/policies`). */
export interface SnapshotSource {
  readSnapshot(): Promise<Snapshot>;
  /** Releases the kept-open files and stops the host helper; resolves once it is gone. */
  close(): Promise<void>;
  /** `powershell.exe` processes the host helper started so far (0 where the host is not Windows). */
  readonly helperStarts: number;
}

/**
 * A snapshot reader bound to its options that detects the environment once, on its first read,
 * and reuses it: the shape of the governor's `SnapshotSource` port, for a daemon that reads a
 * snapshot every tick. Without an injected `fs` it keeps the `/proc` files open between reads
 * (see `createKeptOpenFs`); without an injected `exec`, the Windows host (WSL guest, Windows) is
 * read through one long-lived `powershell.exe` (`createWindowsHostSession`) instead of a
 * PowerShell start per read. `close()` releases both.
 */
export function createSnapshotSource(options: SnapshotSourceOptions = {}): SnapshotSource {
  let detecting: Promise<Environment> | undefined;
  let environment = options.environment;
  const keptOpen = options.fs === undefined ? createKeptOpenFs() : undefined;
  const bound: ReadSnapshotOptions = keptOpen ? { ...options, fs: keptOpen } : options;
  const now = options.now ?? (() => new Date());
  let session: WindowsHostSession | null = null;
  const sessionOptions = { timeoutMs: options.execTimeoutMs ?? 5000, ...(options.timers ? { timers: options.timers } : {}), ...options.hostSession };
  const readHost = options.exec ? undefined : () => (session ??= createWindowsHostSession(sessionOptions)).read();
  return {
    async readSnapshot() {
      const at = now();
      // Detection reads files once, at start: through the ordinary fs, so it keeps nothing open.
      environment ??= await (detecting ??= detectEnvironment({ ...(options.fs ? { fs: options.fs } : {}), ...(options.procRoot ? { procRoot: options.procRoot } : {}) }));
      return collectSnapshot(bound, environment, at, readHost);
    },
    async close() {
      keptOpen?.close();
      await session?.close();
    },
    get helperStarts() {
      return session?.starts ?? 0;
    },
  };
}
