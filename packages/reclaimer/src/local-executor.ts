import { readFile, realpath, writeFile } from 'node:fs/promises';
import { createExec, errnoOf, ExecError, withDeadline, type Exec, type Timers } from '@gov/io';
import { readCgroupMemory } from '@gov/meminfo';
import { findCgroupMounts, hasMemoryController, parseMountinfo, parseProcMounts, resolveCgroupFile } from './cgroup.js';
import { isReclaimError, ReclaimError } from './errors.js';
import type { ActionOutcome, CgroupLayout, CgroupUsage, ReclaimAction, ReclaimExecutor } from './types.js';
import { formatTargetDigits } from './validate.js';

/** The file calls the local executor makes; Node's `fs/promises` by default. */
export interface ReclaimFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  realpath(path: string): Promise<string>;
}

export interface LocalExecutorOptions {
  fs?: ReclaimFs;
  /** Runs `sync`, the only program it starts, always with an empty argv; default `createExec()` of `@gov/io`. */
  exec?: Exec;
  /** Where procfs is mounted; default `/proc`. */
  procRoot?: string;
  /** Mount table used to find the cgroup hierarchies; default `<procRoot>/self/mountinfo`, then `<procRoot>/mounts`. */
  mountinfoPath?: string;
  /** Skips mount detection: use exactly these mounts. */
  cgroupLayout?: CgroupLayout;
  /** How long `sync` may take before it is killed; default 60 s. */
  syncTimeoutMs?: number;
  /** The `sync` deadline's timers; default the host's. */
  timers?: Timers;
}

const nodeFs: ReclaimFs = {
  readFile: (path, encoding) => readFile(path, encoding),
  writeFile: (path, data) => writeFile(path, data),
  realpath: (path) => realpath(path),
};

/** Turns a failed write into a typed error whose message says how to fix it. */
function writeError(error: unknown, path: string, what: string): ReclaimError {
  if (isReclaimError(error)) return error;
  const errno = errnoOf(error);
  const details = { cause: error, errno, path };
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return new ReclaimError('GOV_RECLAIM_PERMISSION', `${what}: writing ${path} needs root (${errno}); run \`sudo gov reclaim\`, or run govd as root`, details);
    case 'EROFS':
      return new ReclaimError(
        'GOV_RECLAIM_PERMISSION',
        `${what}: ${path} is on a read-only filesystem (EROFS); inside a container, run on the host or in a privileged container`,
        details,
      );
    case 'ENOENT':
      return new ReclaimError('GOV_RECLAIM_UNSUPPORTED', `${what}: ${path} does not exist; this kernel does not offer it`, details);
    default:
      return new ReclaimError('GOV_RECLAIM_FAILED', `${what}: writing ${path} failed (${errno ?? String(error)})`, details);
  }
}

/**
 * Runs the catalogue inside Linux (plain Linux or a WSL guest) as root: direct writes to
 * `/proc/sys/vm/*` and cgroupfs, never a shell. The only child process is `sync`.
 */
export function createLocalExecutor(options: LocalExecutorOptions = {}): ReclaimExecutor {
  const fs = options.fs ?? nodeFs;
  const exec = options.exec ?? createExec();
  const procRoot = (options.procRoot ?? '/proc').replace(/\/$/, '');
  const syncTimeoutMs = options.syncTimeoutMs ?? 60_000;

  async function readMounts() {
    if (options.mountinfoPath !== undefined) return parseMountinfo(await fs.readFile(options.mountinfoPath, 'utf8'));
    try {
      return parseMountinfo(await fs.readFile(`${procRoot}/self/mountinfo`, 'utf8'));
    } catch {
      return parseProcMounts(await fs.readFile(`${procRoot}/mounts`, 'utf8'));
    }
  }

  async function readCgroupLayout(): Promise<CgroupLayout> {
    if (options.cgroupLayout) return options.cgroupLayout;
    const mounts = findCgroupMounts(await readMounts());
    let v2Memory: string | null = null;
    for (const mountPoint of mounts.v2) {
      const controllers = await fs.readFile(`${mountPoint.replace(/\/$/, '')}/cgroup.controllers`, 'utf8').catch(() => '');
      if (hasMemoryController(controllers)) {
        v2Memory = mountPoint;
        break;
      }
    }
    return { v2Memory, v1Memory: mounts.v1Memory };
  }

  async function mountFor(version: 1 | 2): Promise<string> {
    const layout = await readCgroupLayout();
    const mountPoint = version === 2 ? layout.v2Memory : layout.v1Memory;
    if (mountPoint === null) {
      throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', version === 2 ? 'no cgroup v2 hierarchy with the memory controller is mounted' : 'no cgroup v1 memory hierarchy is mounted');
    }
    return mountPoint;
  }

  function targetOf(action: ReclaimAction): { path: string; content: string } | null {
    switch (action.kind) {
      case 'drop_caches':
        return { path: `${procRoot}/sys/vm/drop_caches`, content: String(action.level) };
      case 'compact_memory':
        return { path: `${procRoot}/sys/vm/compact_memory`, content: '1' };
      default:
        return null;
    }
  }

  return {
    kind: 'local',
    dryRun: false,
    readCgroupLayout,

    async readCgroupStat(cgroup) {
      const path = await resolveCgroupFile(fs, await mountFor(2), cgroup, 'memory.stat');
      return fs.readFile(path, 'utf8');
    },

    async readCgroupUsage(cgroup): Promise<CgroupUsage> {
      const layout = await readCgroupLayout();
      const mountPoint = layout.v2Memory ?? layout.v1Memory;
      if (mountPoint === null) throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'no memory cgroup controller is mounted');
      const statPath = await resolveCgroupFile(fs, mountPoint, cgroup, 'memory.stat');
      const memory = await readCgroupMemory(statPath.slice(0, -'/memory.stat'.length), { fs: { readFile: (path) => fs.readFile(path, 'utf8') } });
      const file = memory.version === 2 ? memory.stat['file'] : (memory.stat['total_cache'] ?? memory.stat['cache']);
      return { usage: memory.usage, file: file ?? 0 };
    },

    describe(action) {
      switch (action.kind) {
        case 'sync':
          return 'run sync';
        case 'drop_caches':
        case 'compact_memory': {
          const target = targetOf(action) as { path: string; content: string };
          return `write "${target.content}" to ${target.path}`;
        }
        case 'memory_reclaim':
          return `write "${formatTargetDigits(action.bytes)}${action.swappiness ? ' swappiness=0' : ''}" to memory.reclaim of ${action.cgroup === '' ? 'the root cgroup' : `cgroup ${action.cgroup}`} (v2)`;
        case 'force_empty':
          return `write "0" to memory.force_empty of cgroup ${action.cgroup} (v1)`;
      }
    },

    async check(action) {
      if (action.kind === 'memory_reclaim') await resolveCgroupFile(fs, await mountFor(2), action.cgroup, 'memory.reclaim');
      if (action.kind === 'force_empty') await resolveCgroupFile(fs, await mountFor(1), action.cgroup, 'memory.force_empty');
    },

    async run(action): Promise<ActionOutcome> {
      switch (action.kind) {
        case 'sync': {
          let result;
          try {
            result = await withDeadline(syncTimeoutMs, (signal) => exec('sync', [], { signal }), {
              timers: options.timers,
              timeoutError: () => new ReclaimError('GOV_RECLAIM_TIMEOUT', `sync did not finish within ${syncTimeoutMs} ms`, { timedOut: true }),
            });
          } catch (error) {
            if (isReclaimError(error)) throw error;
            if (error instanceof ExecError && error.errno === 'ENOENT') {
              throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'sync is not installed (no sync program on PATH)', { cause: error, errno: 'ENOENT' });
            }
            const signal = error instanceof ExecError ? (error.signal ?? undefined) : undefined;
            throw new ReclaimError('GOV_RECLAIM_FAILED', `sync failed: ${(error as Error).message}`, { cause: error, ...(signal ? { signal } : {}) });
          }
          if (result.exitCode !== 0) {
            const said = (result.stderr.trim() || result.stdout.trim()).split('\n')[0];
            throw new ReclaimError('GOV_RECLAIM_FAILED', `sync failed: exit code ${result.exitCode}${said ? `: ${said}` : ''}`, { exitCode: result.exitCode });
          }
          return {};
        }
        case 'drop_caches':
        case 'compact_memory': {
          const target = targetOf(action) as { path: string; content: string };
          try {
            await fs.writeFile(target.path, target.content);
          } catch (error) {
            throw writeError(error, target.path, action.kind);
          }
          return {};
        }
        case 'memory_reclaim': {
          const content = `${formatTargetDigits(action.bytes)}${action.swappiness ? ' swappiness=0' : ''}`;
          const path = await resolveCgroupFile(fs, await mountFor(2), action.cgroup, 'memory.reclaim');
          try {
            await fs.writeFile(path, content);
          } catch (error) {
            // The kernel returns EAGAIN when it reclaimed less than asked: the step did run.
            if (errnoOf(error) === 'EAGAIN') return { note: 'the kernel reclaimed less than the target (EAGAIN)' };
            throw writeError(error, path, 'memory.reclaim');
          }
          return {};
        }
        case 'force_empty': {
          const path = await resolveCgroupFile(fs, await mountFor(1), action.cgroup, 'memory.force_empty');
          try {
            await fs.writeFile(path, '0');
          } catch (error) {
            throw writeError(error, path, 'memory.force_empty');
          }
          return {};
        }
      }
    },
  };
}
