import { MeminfoParseError } from './errors.js';

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
 * Walks `text` one line at a time with the sticky regex `line`, skipping blank lines, in one
 * pass without splitting the text (this runs on every governor tick). A line the regex does not
 * match is a `MeminfoParseError` naming the line and the `expected` shape.
 */
export function scanLines(text: string, source: string, line: RegExp, expected: string, visit: (match: RegExpExecArray, offset: number) => void): void {
  if (typeof text !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof text}`, { source });
  let offset = 0;
  while (offset < text.length) {
    BLANK.lastIndex = offset;
    if (BLANK.test(text) && BLANK.lastIndex > offset) {
      offset = BLANK.lastIndex;
      continue;
    }
    line.lastIndex = offset;
    const match = line.exec(text);
    if (!match) {
      const number = lineAt(text, offset);
      throw new MeminfoParseError(`${source} line ${number}: expected ${expected}, got ${JSON.stringify(lineText(text, offset))}`, { source, line: number });
    }
    visit(match, offset);
    offset = line.lastIndex;
  }
}

/** Visits each `name value` line (`/proc/vmstat`, cgroup `memory.stat`). */
export function scanKeyValueLines(text: string, source: string, visit: (name: string, value: string) => void): void {
  scanLines(text, source, LINE, '"name <integer>"', (match) => visit(match[1] as string, match[2] as string));
}

/**
 * Parses `name value` lines into a record. Values beyond 2^53 are kept as the nearest number:
 * cgroup v1 reports "no limit" as 9223372036854771712.
 */
export function parseKeyValueLines(text: string, source: string): Record<string, number> {
  const entries: [string, number][] = [];
  scanKeyValueLines(text, source, (name, value) => entries.push([name, Number(value)]));
  // fromEntries defines own properties, so a key such as `__proto__` stays plain data.
  return Object.fromEntries(entries);
}
