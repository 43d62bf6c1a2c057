import { MeminfoParseError } from './errors.js';
import { lineAt, scanLines } from './key-value.js';
import type { LinuxMemory } from './types.js';

/**
 * Every field of `/proc/meminfo`, keyed by the kernel's own name (`MemTotal`, `Active(file)`,
 * `HugePages_Total`). Fields the kernel reports in kB are in bytes; unit-less fields
 * (`HugePages_*`) are page counts, as the kernel reports them.
 */
export type Meminfo = Record<string, number>;

const SOURCE = '/proc/meminfo';
const LINE = /([^:\s][^:\n]*?)[ \t]*:[ \t]*(\d+)(?:[ \t]+(kB))?[ \t]*\r?(?:\n|$)/y;

/**
 * Visits each `Name: value [kB]` line with its value in bytes (kB) or as a count, in one
 * sticky-regex pass without splitting the text. Throws `MeminfoParseError` naming the line.
 */
export function scanMeminfo(text: string, visit: (field: string, value: number, offset: number) => void): void {
  const seen = new Set<string>();
  scanLines(text, SOURCE, LINE, '"Name: <number> kB"', (match, offset) => {
    const field = match[1] as string;
    if (seen.has(field)) {
      const line = lineAt(text, offset);
      throw new MeminfoParseError(`${SOURCE} line ${line}: field ${field} appears twice`, { source: SOURCE, line, field });
    }
    // The count must be exact; times 1024 it stays exact (a power of two), even past 2^53:
    // VmallocTotal is 13743895347199 kB on kernels with 5-level paging.
    const count = Number(match[2]);
    if (!Number.isSafeInteger(count)) {
      const line = lineAt(text, offset);
      throw new MeminfoParseError(`${SOURCE} line ${line}: ${field} = ${match[2]} is too large to hold exactly`, { source: SOURCE, line, field });
    }
    const value = count * (match[3] === 'kB' ? 1024 : 1);
    seen.add(field);
    visit(field, value, offset);
  });
}

/** Parses `/proc/meminfo` text into every field it holds. Throws `MeminfoParseError` naming the line. */
export function parseMeminfo(text: string): Meminfo {
  const entries: [string, number][] = [];
  scanMeminfo(text, (field, value) => entries.push([field, value]));
  // fromEntries defines own properties, so a field named like an Object.prototype member stays data.
  return Object.fromEntries(entries);
}

function required(fields: Meminfo, field: string): number {
  const value = Object.hasOwn(fields, field) ? fields[field] : undefined;
  if (value === undefined) throw new MeminfoParseError(`${SOURCE}: required field ${field} is missing`, { source: SOURCE, field });
  return value;
}

function optional(fields: Meminfo, field: string): number | null {
  return Object.hasOwn(fields, field) ? (fields[field] as number) : null;
}

/**
 * Derives what `free -b` (procps-ng 4) prints, plus what the governor needs, from parsed fields.
 *
 * procps-ng 4 `library/meminfo.c`: a missing (or zero) `MemAvailable` is replaced by `MemFree`,
 * and so is one larger than `MemTotal` (containers that see the host's numbers); `used` is
 * `MemTotal − MemAvailable`; `buff/cache` is `Buffers + Cached + SReclaimable`; `shared` is
 * `Shmem`; swap used is `SwapTotal − SwapFree` when free is below total, otherwise 0. Fields
 * `free` treats as 0 when absent are 0 here too; the nullable ones are `null`.
 */
export function deriveLinuxMemory(fields: Meminfo): LinuxMemory {
  const total = required(fields, 'MemTotal');
  const free = required(fields, 'MemFree');
  const buffers = optional(fields, 'Buffers') ?? 0;
  const cached = optional(fields, 'Cached') ?? 0;
  const sReclaimable = optional(fields, 'SReclaimable');
  const shmem = optional(fields, 'Shmem');
  const swapTotal = optional(fields, 'SwapTotal') ?? 0;
  const swapFree = optional(fields, 'SwapFree') ?? 0;

  let available = optional(fields, 'MemAvailable') ?? 0;
  if (available === 0 || available > total) available = free;
  let used = total - available;
  if (used < 0) used = total - free;

  // Shmem lives in Cached but drop_caches cannot free it, so it is not reclaimable.
  const reclaimable = buffers + Math.max(0, cached - (shmem ?? 0)) + (sReclaimable ?? 0);
  return {
    total,
    used,
    free,
    shared: shmem ?? 0,
    buffCache: buffers + cached + (sReclaimable ?? 0),
    available,
    swapTotal,
    swapUsed: swapFree < swapTotal ? swapTotal - swapFree : 0,
    swapFree,
    buffers,
    cached,
    sReclaimable,
    shmem,
    reclaimable,
    actualUsage: Math.max(0, total - free - reclaimable),
    activeFile: optional(fields, 'Active(file)'),
    inactiveFile: optional(fields, 'Inactive(file)'),
  };
}

// The fields `deriveLinuxMemory` reads; `parseLinuxMemory` keeps only these.
const DERIVED_FIELDS = new Set(['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SReclaimable', 'Shmem', 'SwapTotal', 'SwapFree', 'Active(file)', 'Inactive(file)']);

/**
 * Parses `/proc/meminfo` text straight into `LinuxMemory` (bytes, `free -b` semantics). Every
 * line is still checked; only the fields the derivation needs are kept (this runs every tick).
 */
export function parseLinuxMemory(text: string): LinuxMemory {
  const fields: Meminfo = {};
  scanMeminfo(text, (field, value) => {
    if (DERIVED_FIELDS.has(field)) fields[field] = value;
  });
  return deriveLinuxMemory(fields);
}
