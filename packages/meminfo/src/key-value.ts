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

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
/** Digits a double holds exactly whatever they are (10^15 < 2^53). */
const EXACT_DIGITS = 15;

/** Whether `code` is a printable ASCII character other than space: `\S` without leaving ASCII. */
export const isVisibleAscii = (code: number) => code > SPACE && code < 127;

/** Skips `[ \t]*` from `offset`. */
export function skipSpaces(text: string, offset: number): number {
  let index = offset;
  for (let code = text.charCodeAt(index); code === SPACE || code === TAB; code = text.charCodeAt(index)) index += 1;
  return index;
}

/** The offset after `\r?(\n|end)` at `offset`, or -1 when the line goes on. */
export function endOfLine(text: string, offset: number): number {
  let index = offset;
  if (text.charCodeAt(index) === CR) index += 1;
  if (index === text.length) return index;
  return text.charCodeAt(index) === LF ? index + 1 : -1;
}

/** Offset of the first non-blank line from `offset` (a blank line is `[ \t\r]*` then `\n` or the end). */
export function skipBlankLines(text: string, offset: number): number {
  let start = offset;
  for (;;) {
    let index = start;
    let code = text.charCodeAt(index);
    while (code === SPACE || code === TAB || code === CR) code = text.charCodeAt((index += 1));
    if (index >= text.length) return text.length;
    if (code !== LF) return start;
    start = index + 1;
  }
}

/** Where the digits `readDigits` read last end (no array per number on a path that runs for every line). */
export let digitsEnd = 0;

/** The unsigned digits at `offset`, exact to 2^53 and the nearest double beyond; -1 when there is none. Sets `digitsEnd`. */
export function readDigits(text: string, offset: number): number {
  let index = offset;
  let value = 0;
  for (let code = text.charCodeAt(index); code >= ZERO && code <= NINE; code = text.charCodeAt(index)) {
    value = value * 10 + (code - ZERO);
    index += 1;
  }
  digitsEnd = index;
  if (index === offset) return -1;
  return index - offset > EXACT_DIGITS ? Number(text.slice(offset, index)) : value;
}

/**
 * The regex path for a line the hand-written scan did not take (non-ASCII, unusual spacing,
 * or an error): the line's sticky regex decides, and a line it does not match is a
 * `MeminfoParseError` naming the line and the `expected` shape.
 */
export function matchLine(text: string, offset: number, line: RegExp, source: string, expected: string): RegExpExecArray {
  line.lastIndex = offset;
  const match = line.exec(text);
  if (!match) {
    const number = lineAt(text, offset);
    throw new MeminfoParseError(`${source} line ${number}: expected ${expected}, got ${JSON.stringify(lineText(text, offset))}`, { source, line: number });
  }
  return match;
}

/** Throws unless `text` is a string (the parsers take outside input). */
export function assertText(text: unknown, source: string): asserts text is string {
  if (typeof text !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof text}`, { source });
}

const LINE = /(\S+)[ \t]+(-?\d+)[ \t]*\r?(?:\n|$)/y;

/**
 * Visits each `name value` line (`/proc/vmstat`, cgroup `memory.stat`), skipping blank lines,
 * in one pass without splitting the text (this runs on every governor tick). Lines are scanned
 * by hand; one the scan does not take goes through the line's regex, which accepts exactly the
 * same lines, so the result and every error are the regex's. Values beyond 2^53 are kept as
 * the nearest number: cgroup v1 reports "no limit" as 9223372036854771712.
 */
export function scanKeyValueLines(text: string, source: string, visit: (name: string, value: number) => void): void {
  assertText(text, source);
  let offset = skipBlankLines(text, 0);
  while (offset < text.length) {
    let index = offset;
    while (isVisibleAscii(text.charCodeAt(index))) index += 1;
    const nameEnd = index;
    index = skipSpaces(text, nameEnd);
    const negative = text.charCodeAt(index) === MINUS;
    const value = index > nameEnd && nameEnd > offset ? readDigits(text, negative ? index + 1 : index) : -1;
    const end = value === -1 ? -1 : endOfLine(text, skipSpaces(text, digitsEnd));
    if (end !== -1) {
      visit(text.slice(offset, nameEnd), negative ? -value : value);
      offset = skipBlankLines(text, end);
      continue;
    }
    const match = matchLine(text, offset, LINE, source, '"name <integer>"');
    visit(match[1] as string, Number(match[2]));
    offset = skipBlankLines(text, LINE.lastIndex);
  }
}

/** Parses `name value` lines into a record (values beyond 2^53 as the nearest number). */
export function parseKeyValueLines(text: string, source: string): Record<string, number> {
  const entries: [string, number][] = [];
  scanKeyValueLines(text, source, (name, value) => entries.push([name, value]));
  // fromEntries defines own properties, so a key such as `__proto__` stays plain data.
  return Object.fromEntries(entries);
}
