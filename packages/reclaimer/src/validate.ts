import { MAX_TARGET_BYTES, MIN_TARGET_BYTES, RECLAIM_METHODS, type ReclaimMethod } from './catalogue.js';
import { ReclaimError } from './errors.js';
import type { DropCachesLevel } from './types.js';

const MAX_CGROUP_PATH_LENGTH = 4096;
// Printable ASCII without `/` (the separator) and without shell or escape metacharacters that
// no real cgroup name (Docker ids, systemd units, slices) uses.
const CGROUP_SEGMENT = /^[A-Za-z0-9_.:@+=,-]{1,255}$/;

/** A request that passed `validateRequest`: every field is known-good and filled in. */
export interface ValidatedRequest {
  method: ReclaimMethod;
  level: DropCachesLevel;
  sync: boolean;
  targetBytes: number | null;
  /** Relative cgroup path; `null` for the whole machine. */
  cgroup: string | null;
  /** Compact after the method's own steps (`drop_caches` and `cgroup_reclaim`). */
  compact: boolean;
  dryRun: boolean;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return `a ${Array.isArray(value) ? 'list' : typeof value}`;
}

/**
 * A byte count for a targeted reclaim: an integer number in [1 MiB, 64 GiB]. Floats, strings,
 * negatives, NaN and everything else are refused with `GOV_RECLAIM_INVALID_TARGET`.
 */
export function validateTargetBytes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_TARGET_BYTES || value > MAX_TARGET_BYTES) {
    throw new ReclaimError(
      'GOV_RECLAIM_INVALID_TARGET',
      `targetBytes must be a whole number of bytes from ${MIN_TARGET_BYTES} (1 MiB) to ${MAX_TARGET_BYTES} (64 GiB); got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * A cgroup named relative to the memory cgroup root: `/`-separated segments of letters, digits
 * and `_.:@+=,-`, never `.` or `..`, never absolute. Symlinks are checked when the path is resolved.
 */
export function validateCgroupPath(value: unknown): string {
  const refuse = (why: string) =>
    new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', `cgroup ${describeValue(value)} is refused: ${why}; name it relative to the cgroup root, e.g. docker/<id>`);
  if (typeof value !== 'string') throw refuse('not a string');
  if (value.length === 0) throw refuse('it is empty (leave it out for the whole machine)');
  if (value.length > MAX_CGROUP_PATH_LENGTH) throw refuse('it is too long');
  if (value.startsWith('/')) throw refuse('it is absolute');
  for (const segment of value.split('/')) {
    if (segment === '.' || segment === '..') throw refuse(`it contains a "${segment}" segment`);
    if (!CGROUP_SEGMENT.test(segment)) throw refuse(segment === '' ? 'it contains an empty segment' : 'it contains a character no cgroup name uses');
  }
  return value;
}

function validateMethod(value: unknown): ReclaimMethod {
  if (typeof value === 'string' && (RECLAIM_METHODS as readonly string[]).includes(value)) return value as ReclaimMethod;
  throw new ReclaimError('GOV_RECLAIM_INVALID_METHOD', `method ${describeValue(value)} is not in the catalogue; use one of ${RECLAIM_METHODS.join(', ')}`);
}

function validateLevel(value: unknown): DropCachesLevel {
  if (value === undefined) return 1;
  if (value === 1 || value === 2 || value === 3) return value;
  throw new ReclaimError('GOV_RECLAIM_INVALID_LEVEL', `drop_caches level must be 1, 2 or 3; got ${describeValue(value)}`);
}

/**
 * Checks a request from outside (config, HTTP, CLI) before anything runs, and fills in the
 * defaults. Throws `ReclaimError` with a `GOV_RECLAIM_INVALID_*` code.
 */
export function validateRequest(request: unknown): ValidatedRequest {
  if (typeof request !== 'object' || request === null) {
    throw new ReclaimError('GOV_RECLAIM_INVALID_METHOD', `a reclaim request must be an object with a method; got ${describeValue(request)}`);
  }
  const fields = request as Record<string, unknown>;
  const method = validateMethod(fields['method']);
  const level = validateLevel(fields['level']);
  if (fields['level'] !== undefined && method !== 'drop_caches' && method !== 'full') {
    throw new ReclaimError('GOV_RECLAIM_INVALID_LEVEL', `level applies to drop_caches and full only, not ${method}`);
  }
  const targetBytes = fields['targetBytes'] === undefined ? null : validateTargetBytes(fields['targetBytes']);
  const cgroup = fields['cgroup'] === undefined ? null : validateCgroupPath(fields['cgroup']);
  if (cgroup !== null && method !== 'cgroup_reclaim') {
    throw new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', `a cgroup applies to cgroup_reclaim only, not ${method}`);
  }
  const sync = fields['sync'];
  if (sync !== undefined && typeof sync !== 'boolean') throw new ReclaimError('GOV_RECLAIM_INVALID_METHOD', `sync must be true or false; got ${describeValue(sync)}`);
  const compact = fields['compact'];
  if (compact !== undefined && typeof compact !== 'boolean') throw new ReclaimError('GOV_RECLAIM_INVALID_METHOD', `compact must be true or false; got ${describeValue(compact)}`);
  const dryRun = fields['dryRun'];
  if (dryRun !== undefined && typeof dryRun !== 'boolean') throw new ReclaimError('GOV_RECLAIM_INVALID_METHOD', `dryRun must be true or false; got ${describeValue(dryRun)}`);
  return { method, level, sync: sync ?? true, targetBytes, cgroup, compact: compact ?? false, dryRun: dryRun ?? false };
}

/** The decimal digits an executor writes or passes for a byte count; re-checks the bounds. */
export function formatTargetDigits(bytes: number): string {
  const digits = String(validateTargetBytes(bytes));
  if (!/^[0-9]+$/.test(digits)) throw new ReclaimError('GOV_RECLAIM_INVALID_TARGET', `targetBytes ${digits} is not written as decimal digits`);
  return digits;
}
