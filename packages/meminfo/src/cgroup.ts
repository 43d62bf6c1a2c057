import { MeminfoParseError, MeminfoSourceError } from './errors.js';
import { globalTimers, isMissingFile, nodeFs, readText, withTimeout, type MeminfoFs, type MeminfoTimers } from './io.js';
import { parseKeyValueLines } from './key-value.js';
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
  timers?: MeminfoTimers;
}

/** Parses a cgroup `memory.stat` (v1 or v2) into every counter it holds. */
export function parseMemoryStat(text: string): Record<string, number> {
  return parseKeyValueLines(text, 'memory.stat');
}

// cgroup v1 reports "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 on 4 KiB pages);
// anything that large is no limit on a real machine.
const V1_UNLIMITED_FROM = 2 ** 62;

/** Parses a single-number cgroup file (`memory.current`, `memory.usage_in_bytes`). */
export function parseCgroupBytes(text: string, source: string): number {
  if (typeof text !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof text}`, { source });
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new MeminfoParseError(`${source}: expected a byte count, got ${JSON.stringify(text.slice(0, 40))}`, { source, line: 1 });
  return Number(trimmed);
}

/** Parses a cgroup limit: v2 `max` and the v1 "unlimited" sentinel are `null`. */
export function parseCgroupLimit(text: string, source: string): number | null {
  if (typeof text === 'string' && text.trim() === 'max') return null;
  const bytes = parseCgroupBytes(text, source);
  return bytes >= V1_UNLIMITED_FROM ? null : bytes;
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
  return withTimeout('cgroup', `cgroup ${dir}`, options.timeoutMs ?? 1000, options.timers ?? globalTimers, async (signal) => {
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
  });
}
