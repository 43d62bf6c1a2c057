import { MeminfoParseError } from './errors.js';
import { assertText, digitsEnd, endOfLine, isVisibleAscii, lineAt, matchLine, readDigits, skipBlankLines, skipSpaces } from './key-value.js';
import type { LinuxMemory } from './types.js';

/**
 * Every field of `/proc/meminfo`, keyed by the kernel's own name (`MemTotal`, `Active(file)`,
 * `HugePages_Total`). Fields the kernel reports in kB are in bytes; unit-less fields
 * (`HugePages_*`) are page counts, as the kernel reports them.
 */
export type Meminfo = Record<string, number>;

const SOURCE = '/proc/meminfo';
const LINE = /([^:\s][^:\n]*?)[ \t]*:[ \t]*(\d+)(?:[ \t]+(kB))?[ \t]*\r?(?:\n|$)/y;
const EXPECTED = '"Name: <number> kB"';
const COLON = 58;
const LF = 10;
const K = 107;
const B = 66;

/** The line `scanLine` read last: its field, count, unit and where it ends (module state: no tuple per line). */
const scanned = { field: '', count: 0, isKb: false, end: 0 };

/**
 * Scans one `Name: value [kB]` line by hand into `scanned`; false for a line it does not take
 * (a name with spaces or non-ASCII, a malformed line), which the line's regex then decides — it
 * accepts exactly the same lines.
 */
function scanLine(text: string, offset: number): boolean {
  let index = offset;
  for (let code = text.charCodeAt(index); isVisibleAscii(code) && code !== COLON; code = text.charCodeAt(index)) index += 1;
  const nameEnd = index;
  index = skipSpaces(text, nameEnd);
  if (nameEnd === offset || text.charCodeAt(index) !== COLON) return false;
  const count = readDigits(text, skipSpaces(text, index + 1));
  if (count === -1) return false;
  const afterDigits = digitsEnd;
  const afterSpaces = skipSpaces(text, afterDigits);
  const isKb = afterSpaces > afterDigits && text.charCodeAt(afterSpaces) === K && text.charCodeAt(afterSpaces + 1) === B;
  const end = endOfLine(text, isKb ? skipSpaces(text, afterSpaces + 2) : afterSpaces);
  if (end === -1) return false;
  scanned.field = text.slice(offset, nameEnd);
  scanned.count = count;
  scanned.isKb = isKb;
  scanned.end = end;
  return true;
}

/** Walks the lines, checking each one's shape only: `visit` gets the field, its count as read, and whether it was in kB. */
function walkLines(text: string, visit: (field: string, count: number, isKb: boolean, offset: number) => void): void {
  assertText(text, SOURCE);
  let offset = skipBlankLines(text, 0);
  while (offset < text.length) {
    if (!scanLine(text, offset)) {
      const match = matchLine(text, offset, LINE, SOURCE, EXPECTED);
      Object.assign(scanned, { field: match[1] as string, count: Number(match[2]), isKb: match[3] === 'kB', end: LINE.lastIndex });
    }
    const end = scanned.end;
    visit(scanned.field, scanned.count, scanned.isKb, offset);
    offset = skipBlankLines(text, end);
  }
}

/** The error for a field given twice, or one whose count a double cannot hold exactly. */
function fieldProblem(text: string, offset: number, field: string, problem: 'twice' | 'too-large'): MeminfoParseError {
  const line = lineAt(text, offset);
  if (problem === 'twice') return new MeminfoParseError(`${SOURCE} line ${line}: field ${field} appears twice`, { source: SOURCE, line, field });
  // The line's regex takes every line the scan does: its second group is the count as written.
  const written = matchLine(text, offset, LINE, SOURCE, EXPECTED)[2] as string;
  return new MeminfoParseError(`${SOURCE} line ${line}: ${field} = ${written} is too large to hold exactly`, { source: SOURCE, line, field });
}

/**
 * Visits each `Name: value [kB]` line with its value in bytes (kB) or as a count, in one pass
 * without splitting the text. Throws `MeminfoParseError` naming the line.
 */
export function scanMeminfo(text: string, visit: (field: string, value: number, offset: number) => void): void {
  const seen = new Set<string>();
  walkLines(text, (field, count, isKb, offset) => {
    if (seen.has(field)) throw fieldProblem(text, offset, field, 'twice');
    // The count must be exact; times 1024 it stays exact (a power of two), even past 2^53:
    // VmallocTotal is 13743895347199 kB on kernels with 5-level paging.
    if (!Number.isSafeInteger(count)) throw fieldProblem(text, offset, field, 'too-large');
    seen.add(field);
    visit(field, isKb ? count * 1024 : count, offset);
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

/** The whole text as `scanMeminfo` accepts its lines: `Name: value [kB]` lines and blank lines. */
const WELL_FORMED = /^(?:[^:\s][^:\n]*?[ \t]*:[ \t]*\d+(?:[ \t]+kB)?[ \t]*\r?(?:\n|$)|[ \t\r]*\n|[ \t\r]+$)*$/;
/**
 * The lines of the fields `deriveLinuxMemory` reads (a name is the line up to its colon, blanks
 * before it left out). Lines start after `\n` only: a name may hold a `\r`, so no multiline `^`.
 */
const DERIVED = /(?:^|\n)(MemTotal|MemFree|MemAvailable|Buffers|Cached|SReclaimable|Shmem|SwapTotal|SwapFree|Active\(file\)|Inactive\(file\))[ \t]*:[ \t]*(\d+)([ \t]+kB)?[ \t]*\r?(?=\n|$)/g;

/**
 * Parses `/proc/meminfo` text straight into `LinuxMemory` (bytes, `free -b` semantics). The shape
 * of every line is checked first (one regex run in native code; a file that fails it goes
 * through `scanMeminfo`, which names the wrong line), then only the fields the derivation reads
 * are picked out, each refused when given twice or too large; a field it does not read may
 * repeat (`parseMeminfo` refuses that). This runs every tick.
 */
export function parseLinuxMemory(text: string): LinuxMemory {
  if (typeof text !== 'string' || !WELL_FORMED.test(text)) walkLines(text, () => undefined);
  const fields: Meminfo = {};
  DERIVED.lastIndex = 0;
  for (let match = DERIVED.exec(text); match !== null; match = DERIVED.exec(text)) {
    const field = match[1] as string;
    const count = Number(match[2]);
    const lineStart = match[0].charCodeAt(0) === LF ? match.index + 1 : match.index;
    if (Object.hasOwn(fields, field)) throw fieldProblem(text, lineStart, field, 'twice');
    if (!Number.isSafeInteger(count)) throw fieldProblem(text, lineStart, field, 'too-large');
    fields[field] = match[3] === undefined ? count : count * 1024;
  }
  return deriveLinuxMemory(fields);
}
