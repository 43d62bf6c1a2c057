import { createExec, ExecError, withDeadline, wslDistroNameProblem, type Exec, type ExecResult, type Timers } from '@gov/io';
import { findCgroupMounts, hasMemoryController, parseMountinfo } from './cgroup.js';
import { ReclaimError } from './errors.js';
import type { ActionOutcome, CgroupLayout, ReclaimAction, ReclaimExecutor } from './types.js';
import { formatTargetDigits } from './validate.js';

export interface WslExecutorOptions {
  /** The WSL distribution: WSL's own name rule (see `isWslDistroName` of `@gov/io`). */
  distro: string;
  /** Runs `wsl.exe`; default `createExec({ env })` of `@gov/io`. */
  exec?: Exec;
  /** The WSL launcher, looked up on PATH; default `wsl.exe`. */
  wslPath?: string;
  /** Extra environment for the default `exec` (added to the inherited one). */
  env?: Record<string, string>;
  /** How long one `wsl.exe` call may take; default 60 s. */
  timeoutMs?: number;
  timers?: Timers;
}

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

/** Checks a WSL distribution name against WSL's rule; throws `GOV_RECLAIM_INVALID_DISTRO`. */
export function validateDistro(distro: unknown): string {
  const problem = wslDistroNameProblem(distro);
  if (problem !== null) throw new ReclaimError('GOV_RECLAIM_INVALID_DISTRO', problem);
  return distro as string;
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
  const exec = options.exec ?? createExec(options.env ? { env: options.env } : {});
  const wslPath = options.wslPath ?? 'wsl.exe';
  const timeoutMs = options.timeoutMs ?? 60_000;

  async function run(args: string[], what: string): Promise<ExecResult> {
    try {
      return await withDeadline(timeoutMs, (signal) => exec(wslPath, args, { signal }), {
        timers: options.timers,
        timeoutError: () => new ReclaimError('GOV_RECLAIM_TIMEOUT', `${what}: ${wslPath} did not finish within ${timeoutMs} ms`, { timedOut: true }),
      });
    } catch (error) {
      if (!(error instanceof ExecError)) throw error;
      if (error.errno !== null) {
        const why = error.errno === 'ENOENT' ? `${wslPath} was not found on PATH: WSL is not installed` : `${wslPath} could not start (${error.errno})`;
        throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', why, { errno: error.errno });
      }
      throw new ReclaimError('GOV_RECLAIM_FAILED', `${what}: ${error.message}`, { cause: error, ...(error.signal ? { signal: error.signal } : {}) });
    }
  }

  async function invoke(args: string[], what: string): Promise<ExecResult & { partial?: boolean }> {
    const result = await run(args, what);
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
