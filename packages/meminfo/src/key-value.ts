import { MeminfoParseError } from './errors.js';
import { fastScanKeyValues } from './fast-scan.js';

/** 1-based line number of a character offset; only computed on the error path. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line += 1;
  return line;
}

/** The line starting at `offset`, shortened for an error message. */
export function lineText(text: string, offset: number): string {
  const end = text.indexOf('\n', offset);
  return text.slice(offset, end === -1 ? undefined : end).replace(/\r$/, '').slice(0, 80);
}

const BLANK = /[ \t\r]*(?:\n|$)/y;
const LINE = /(\S+)[ \t]+(-?\d+)[ \t]*\r?(?:\n|$)/y;

/**
 * Visits each `name value` line (`/proc/vmstat`, cgroup `memory.stat`) in one sticky-regex pass,
 * without splitting the text: this runs on every governor tick.
 */
export function scanKeyValueLines(text: string, source: string, visit: (name: string, value: string) => void): void {
  if (typeof text !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof text}`, { source });
  let offset = 0;
  while (offset < text.length) {
    BLANK.lastIndex = offset;
    if (BLANK.test(text) && BLANK.lastIndex > offset) {
      offset = BLANK.lastIndex;
      continue;
    }
    LINE.lastIndex = offset;
    const match = LINE.exec(text);
    if (!match) {
      const line = lineAt(text, offset);
      throw new MeminfoParseError(`${source} line ${line}: expected "name <integer>", got ${JSON.stringify(lineText(text, offset))}`, { source, line });
    }
    visit(match[1] as string, match[2] as string);
    offset = LINE.lastIndex;
  }
}

/**
 * Parses `name value` lines into a record. Values beyond 2^53 are kept as the nearest number:
 * cgroup v1 reports "no limit" as 9223372036854771712.
 */
export function parseKeyValueLines(text: string, source: string): Record<string, number> {
  let entries: [string, number][] = [];
  if (typeof text !== 'string' || !fastScanKeyValues(text, (name, value) => entries.push([name, value]))) {
    entries = [];
    scanKeyValueLines(text, source, (name, value) => entries.push([name, Number(value)]));
  }
  // fromEntries defines own properties, so a key such as `__proto__` stays plain data.
  return Object.fromEntries(entries);
}
