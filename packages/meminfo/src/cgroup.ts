import { withDeadline, type Timers } from '@gov/io';
import { parseCgroupBytes, parseCgroupLimit, parseMemoryStat } from './cgroup-files.js';
import { MeminfoSourceError } from './errors.js';
import { isMissingFile, nodeFs, readText, sourceTimeout, type MeminfoFs } from './io.js';
import { parsePressure } from './pressure.js';
import type { Pressure } from './types.js';

/** Memory of one cgroup, v1 or v2, in bytes. */
export interface CgroupMemory {
  version: 1 | 2;
  /** v2 `memory.current`, v1 `memory.usage_in_bytes`. */
  usage: number;
  /** v2 `memory.max`, v1 `memory.limit_in_bytes`; `null` when unlimited. */
  limit: number | null;
  /** Every `memory.stat` counter by its kernel name. */
  stat: Record<string, number>;
  /** v2 `memory.pressure`; `null` on v1 or where PSI is off. */
  pressure: Pressure | null;
}

export interface ReadCgroupMemoryOptions {
  fs?: MeminfoFs;
  timeoutMs?: number;
  timers?: Timers;
}

async function readOptional(fs: MeminfoFs, path: string, signal: AbortSignal): Promise<string | null> {
  try {
    return await fs.readFile(path, { signal });
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw new MeminfoSourceError(`cannot read ${path}: ${(error as { code?: string }).code ?? (error as Error).message}`, {
      code: 'GOV_MEMINFO_READ_FAILED',
      source: 'cgroup',
      cause: error,
    });
  }
}

/**
 * Reads one cgroup directory's memory files: v2 when it has `memory.current`, v1 when it has
 * `memory.usage_in_bytes`. `cgroupDir` is a full path, e.g. `/sys/fs/cgroup/system.slice/x.scope`
 * or `/sys/fs/cgroup/memory/docker/<id>`.
 */
export async function readCgroupMemory(cgroupDir: string, options: ReadCgroupMemoryOptions = {}): Promise<CgroupMemory> {
  const fs = options.fs ?? nodeFs;
  const dir = cgroupDir.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 1000;
  const timeoutError = () => sourceTimeout('cgroup', `cgroup ${dir}`, timeoutMs);
  return withDeadline(timeoutMs, async (signal) => {
    const current = await readOptional(fs, `${dir}/memory.current`, signal);
    if (current !== null) {
      const [max, stat, pressure] = await Promise.all([
        readText(fs, `${dir}/memory.max`, 'cgroup', signal),
        readText(fs, `${dir}/memory.stat`, 'cgroup', signal),
        readOptional(fs, `${dir}/memory.pressure`, signal),
      ]);
      return {
        version: 2 as const,
        usage: parseCgroupBytes(current, 'memory.current'),
        limit: parseCgroupLimit(max, 'memory.max'),
        stat: parseMemoryStat(stat),
        pressure: pressure === null || pressure.trim() === '' ? null : parsePressure(pressure, 'memory.pressure'),
      };
    }
    const usage = await readOptional(fs, `${dir}/memory.usage_in_bytes`, signal);
    if (usage === null) {
      throw new MeminfoSourceError(`${dir} is not a memory cgroup: it has neither memory.current (v2) nor memory.usage_in_bytes (v1)`, {
        code: 'GOV_MEMINFO_READ_FAILED',
        source: 'cgroup',
      });
    }
    const [limit, stat] = await Promise.all([
      readText(fs, `${dir}/memory.limit_in_bytes`, 'cgroup', signal),
      readText(fs, `${dir}/memory.stat`, 'cgroup', signal),
    ]);
    return {
      version: 1 as const,
      usage: parseCgroupBytes(usage, 'memory.usage_in_bytes'),
      limit: parseCgroupLimit(limit, 'memory.limit_in_bytes'),
      stat: parseMemoryStat(stat),
      pressure: null,
    };
  }, { timers: options.timers, timeoutError });
}
