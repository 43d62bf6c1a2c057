import { execa } from 'execa';
import { findCgroupMounts, hasMemoryController, parseMountinfo } from './cgroup.js';
import { ReclaimError } from './errors.js';
import type { ActionOutcome, CgroupLayout, ReclaimAction, ReclaimExecutor } from './types.js';
import { formatTargetDigits } from './validate.js';

/** What a finished child process reported. `startError` is set when it could not start (`ENOENT`). */
export interface ProgramResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  startError?: string;
}

/** Starts a program with an argv array (never a shell) and waits for it. */
export type RunProgram = (file: string, args: readonly string[], options: { timeoutMs: number; env?: Record<string, string> }) => Promise<ProgramResult>;

export interface WslExecutorOptions {
  /** The WSL distribution; must match `^[A-Za-z0-9._-]{1,64}$` and not start with `-`. */
  distro: string;
  /** Starts `wsl.exe`; default execa with a buffer encoding, decoded as WSL writes it. */
  exec?: RunProgram;
  /** The WSL launcher, looked up on PATH; default `wsl.exe`. */
  wslPath?: string;
  /** Extra environment for the launcher (merged into the inherited one). */
  env?: Record<string, string>;
  /** How long one `wsl.exe` call may take; default 60 s. */
  timeoutMs?: number;
}

const DISTRO = /^[A-Za-z0-9._-]{1,64}$/;

/** The cgroup v2 mount WSL distributions use; per-method scripts name it literally. */
export const WSL_CGROUP_V2_ROOT = '/sys/fs/cgroup';

// One fixed script per action. The byte count is never part of a script: it is passed as `$1`.
const DROP_CACHES_SCRIPTS = {
  1: 'echo 1 > /proc/sys/vm/drop_caches',
  2: 'echo 2 > /proc/sys/vm/drop_caches',
  3: 'echo 3 > /proc/sys/vm/drop_caches',
} as const;
const COMPACT_MEMORY_SCRIPT = 'echo 1 > /proc/sys/vm/compact_memory';
const MEMORY_RECLAIM_SWAPPINESS_SCRIPT = 'echo "$1 swappiness=0" > /sys/fs/cgroup/memory.reclaim';
const MEMORY_RECLAIM_SCRIPT = 'echo "$1" > /sys/fs/cgroup/memory.reclaim';
/** `$0` of the scripts, as `sh -c` names it in error messages. */
const SCRIPT_NAME = 'gov';

/** wsl.exe writes its own messages in UTF-16LE; the Linux side writes UTF-8. */
export function decodeWslOutput(bytes: Uint8Array): string {
  let zeroesAtOddIndex = 0;
  for (let index = 1; index < bytes.length; index += 2) if (bytes[index] === 0) zeroesAtOddIndex += 1;
  const looksUtf16 = bytes.length >= 2 && zeroesAtOddIndex >= Math.floor(bytes.length / 2) * 0.9;
  return new TextDecoder(looksUtf16 ? 'utf-16le' : 'utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

const runProgramWithExeca: RunProgram = async (file, args, { timeoutMs, env }) => {
  const result = await execa(file, args, { timeout: timeoutMs, reject: false, encoding: 'buffer', stdin: 'ignore', windowsHide: true, ...(env ? { env } : {}) });
  const startError = (result as { code?: unknown }).code;
  return {
    exitCode: result.exitCode,
    stdout: decodeWslOutput(result.stdout),
    stderr: decodeWslOutput(result.stderr),
    timedOut: result.timedOut,
    ...(typeof startError === 'string' && result.exitCode === undefined ? { startError } : {}),
  };
};

/** Validates a WSL distribution name; throws `GOV_RECLAIM_INVALID_DISTRO`. */
export function validateDistro(distro: unknown): string {
  // A leading "-" would read as an option of wsl.exe.
  if (typeof distro === 'string' && DISTRO.test(distro) && !distro.startsWith('-')) return distro;
  throw new ReclaimError(
    'GOV_RECLAIM_INVALID_DISTRO',
    `WSL distribution ${JSON.stringify(String(distro)).slice(0, 90)} is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"`,
  );
}

/**
 * The argv `wsl.exe` receives for an action: `-d <distro> -u root -e` followed by a fixed
 * argv. The byte count of `memory_reclaim` is its only variable part, passed after the script.
 */
export function wslArgv(distro: string, action: ReclaimAction): string[] {
  const prefix = ['-d', validateDistro(distro), '-u', 'root', '-e'];
  switch (action.kind) {
    case 'sync':
      return [...prefix, 'sync'];
    case 'drop_caches':
      return [...prefix, 'sh', '-c', DROP_CACHES_SCRIPTS[action.level]];
    case 'compact_memory':
      return [...prefix, 'sh', '-c', COMPACT_MEMORY_SCRIPT];
    case 'memory_reclaim':
      if (action.cgroup !== '') break;
      return [...prefix, 'sh', '-c', action.swappiness ? MEMORY_RECLAIM_SWAPPINESS_SCRIPT : MEMORY_RECLAIM_SCRIPT, SCRIPT_NAME, formatTargetDigits(action.bytes)];
    case 'force_empty':
      break;
  }
  throw new ReclaimError(
    'GOV_RECLAIM_UNSUPPORTED',
    'from Windows, gov reclaims the whole WSL machine only; run govd inside the distribution to reclaim one cgroup',
  );
}

function quote(arg: string): string {
  return /^[A-Za-z0-9._\-/=]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the catalogue from Windows: `wsl.exe -d <distro> -u root -e <fixed argv>`. Only the
 * whole machine can be reclaimed this way (root cgroup `memory.reclaim`, or drop_caches).
 */
export function createWslExecutor(options: WslExecutorOptions): ReclaimExecutor {
  const distro = validateDistro(options.distro);
  const runProgram = options.exec ?? runProgramWithExeca;
  const wslPath = options.wslPath ?? 'wsl.exe';
  const timeoutMs = options.timeoutMs ?? 60_000;

  async function invoke(args: string[], what: string): Promise<ProgramResult & { partial?: boolean }> {
    const result = await runProgram(wslPath, args, { timeoutMs, ...(options.env ? { env: options.env } : {}) });
    if (result.startError !== undefined) {
      throw new ReclaimError(
        'GOV_RECLAIM_UNSUPPORTED',
        result.startError === 'ENOENT' ? `${wslPath} was not found on PATH: WSL is not installed` : `${wslPath} could not start (${result.startError})`,
        { errno: result.startError },
      );
    }
    if (result.timedOut) throw new ReclaimError('GOV_RECLAIM_TIMEOUT', `${what}: ${wslPath} did not finish within ${timeoutMs} ms`, { timedOut: true });
    if (result.exitCode === 0) return result;
    const output = `${result.stderr}\n${result.stdout}`.trim();
    const details = { exitCode: result.exitCode };
    const said = output.split('\n').filter(Boolean).slice(-1)[0] ?? `exit code ${String(result.exitCode)}`;
    if (/Permission denied|Operation not permitted/i.test(output)) {
      throw new ReclaimError('GOV_RECLAIM_PERMISSION', `${what}: permission denied in ${distro} (${said}); gov runs it with \`-u root\`, so check that the distribution allows root`, {
        ...details,
        errno: 'EACCES',
      });
    }
    if (/Read-only file system/i.test(output)) {
      throw new ReclaimError('GOV_RECLAIM_PERMISSION', `${what}: /proc/sys or cgroupfs is read-only in ${distro} (${said})`, { ...details, errno: 'EROFS' });
    }
    if (/no distribution with the supplied name|WSL_E_DISTRO_NOT_FOUND/i.test(output)) {
      throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', `WSL has no distribution named ${distro}; list them with \`wsl --list\``, details);
    }
    if (/Invalid command line (argument|option)|Unknown option|not recognized/i.test(output)) {
      throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', `this Windows build's wsl.exe does not accept -d/-u/-e (${said}); update WSL with \`wsl --update\``, details);
    }
    if (/No such file|nonexistent|can't create|cannot create/i.test(output)) {
      throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', `${what}: the kernel of ${distro} does not offer it (${said})`, { ...details, errno: 'ENOENT' });
    }
    // memory.reclaim answers EAGAIN when it reclaimed less than asked: the step did run.
    if (/Resource temporarily unavailable/i.test(output)) return { ...result, partial: true };
    const errno = /Invalid argument/i.test(output) ? 'EINVAL' : undefined;
    throw new ReclaimError('GOV_RECLAIM_FAILED', `${what} failed in ${distro}: ${said}`, { ...details, ...(errno ? { errno } : {}) });
  }

  return {
    kind: 'wsl',
    dryRun: false,

    async readCgroupLayout(): Promise<CgroupLayout> {
      const mountinfo = await invoke(['-d', distro, '-e', 'cat', '/proc/self/mountinfo'], 'reading the mount table');
      const mounts = findCgroupMounts(parseMountinfo(mountinfo.stdout));
      let v2Memory: string | null = null;
      if (mounts.v2.includes(WSL_CGROUP_V2_ROOT)) {
        const controllers = await invoke(['-d', distro, '-e', 'cat', `${WSL_CGROUP_V2_ROOT}/cgroup.controllers`], 'reading cgroup.controllers');
        if (hasMemoryController(controllers.stdout)) v2Memory = WSL_CGROUP_V2_ROOT;
      }
      return { v2Memory, v1Memory: mounts.v1Memory };
    },

    async readCgroupStat() {
      throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'from Windows, gov reads no per-cgroup memory.stat; give a target in bytes');
    },

    describe(action) {
      return [wslPath, ...wslArgv(distro, action)].map(quote).join(' ');
    },

    async run(action): Promise<ActionOutcome> {
      const result = await invoke(wslArgv(distro, action), action.kind);
      return result.partial ? { note: 'the kernel reclaimed less than the target (EAGAIN)' } : {};
    },
  };
}
