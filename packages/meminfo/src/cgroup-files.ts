import { MeminfoParseError } from './errors.js';
import { parseKeyValueLines } from './key-value.js';

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
