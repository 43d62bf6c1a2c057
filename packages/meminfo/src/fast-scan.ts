/**
 * Fast paths for the two files read on every governor tick. They accept only the exact shape
 * the kernel prints (`Name:   123 kB\n`, `name 123\n`, printable ASCII names) and return
 * `false` on anything else, so the caller falls back to the strict regex parser, which either
 * reads the text the same way or throws the `MeminfoParseError` that names the line.
 */

const COLON = 58;
const SPACE = 32;
const NEWLINE = 10;
const MINUS = 45;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
/** Up to 15 digits a running `value * 10 + digit` stays exact; longer numbers take the slow path. */
const MAX_FAST_DIGITS = 15;

function isNameChar(code: number): boolean {
  return code > SPACE && code < 127 && code !== COLON;
}

/** Visits `Name: <spaces><digits>[ kB]` lines; the value in bytes for kB, as is otherwise. */
export function fastScanMeminfo(text: string, visit: (field: string, value: number) => void): boolean {
  const length = text.length;
  const seen = new Set<string>();
  let index = 0;
  while (index < length) {
    const start = index;
    while (index < length && isNameChar(text.charCodeAt(index))) index += 1;
    if (index === start || index >= length || text.charCodeAt(index) !== COLON) return false;
    const field = text.slice(start, index);
    index += 1;
    while (index < length && text.charCodeAt(index) === SPACE) index += 1;
    let value = 0;
    const digitsAt = index;
    for (let code = text.charCodeAt(index); code >= DIGIT_0 && code <= DIGIT_9; code = text.charCodeAt(index)) {
      value = value * 10 + (code - DIGIT_0);
      index += 1;
    }
    const digits = index - digitsAt;
    if (digits === 0 || digits > MAX_FAST_DIGITS) return false;
    if (text.startsWith(' kB', index)) {
      // At most 15 digits is an exact count, and times 1024 stays exact even past 2^53.
      value *= 1024;
      index += 3;
    }
    if (index < length) {
      if (text.charCodeAt(index) !== NEWLINE) return false;
      index += 1;
    }
    if (seen.has(field)) return false;
    seen.add(field);
    visit(field, value);
  }
  return true;
}

/** Visits `name <digits>` lines (`-` allowed before the digits). */
export function fastScanKeyValues(text: string, visit: (name: string, value: number) => void): boolean {
  const length = text.length;
  let index = 0;
  while (index < length) {
    const start = index;
    while (index < length && isNameChar(text.charCodeAt(index))) index += 1;
    if (index === start || index >= length || text.charCodeAt(index) !== SPACE) return false;
    const name = text.slice(start, index);
    index += 1;
    const negative = text.charCodeAt(index) === MINUS;
    if (negative) index += 1;
    let value = 0;
    const digitsAt = index;
    for (let code = text.charCodeAt(index); code >= DIGIT_0 && code <= DIGIT_9; code = text.charCodeAt(index)) {
      value = value * 10 + (code - DIGIT_0);
      index += 1;
    }
    const digits = index - digitsAt;
    if (digits === 0 || digits > MAX_FAST_DIGITS) return false;
    if (index < length) {
      if (text.charCodeAt(index) !== NEWLINE) return false;
      index += 1;
    }
    visit(name, negative ? -value : value);
  }
  return true;
}
