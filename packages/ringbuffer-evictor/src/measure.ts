import { BufferStoreError, describeName, describeThrown, describeValue } from './errors.js';
import { utf8Length } from './utf8.js';

/** How a buffer counts its entries. */
export interface SizeRule<E> {
  name: string;
  /** Bytes per entry, or -1 when measured. */
  fixedBytes: number;
  /** Undefined for the default rule: strings by UTF-8 length, binary data by byteLength. */
  sizeOf: ((entry: E) => number) | undefined;
  overheadBytes: number;
}

function invalidSize(rule: SizeRule<never>, index: number, raw: unknown): BufferStoreError {
  return new BufferStoreError(
    `buffers.${rule.name}.sizeOf returned ${describeValue(raw)}; sizes must be finite and non-negative numbers (entry ${index} of the add; nothing of it was stored)`,
    { code: 'GOV_RINGBUFFER_INVALID_SIZE' },
  );
}

/**
 * The size rule of a buffer given neither `sizeOf` nor `fixedBytes`: what can be counted exactly
 * without knowing the entry's shape. Strings count their UTF-8 bytes, binary data its byteLength.
 */
function defaultSize(name: string, entry: unknown, index: number): number {
  if (typeof entry === 'string') return utf8Length(entry);
  if (ArrayBuffer.isView(entry) || entry instanceof ArrayBuffer) return entry.byteLength;
  throw new BufferStoreError(
    `add to ${describeName(name)}: entry ${index} is ${describeValue(entry)}; a buffer without sizeOf or fixedBytes measures strings ` +
      '(UTF-8 bytes) and binary data (byteLength) only — give the buffer a sizeOf for other entries (nothing of the add was stored)',
    { code: 'GOV_RINGBUFFER_INVALID_ENTRY' },
  );
}

function measureOne<E>(rule: SizeRule<E>, entry: E, index: number, criticalBytes: number): number {
  if (rule.sizeOf === undefined) {
    const size = defaultSize(rule.name, entry, index) + rule.overheadBytes;
    if (size > criticalBytes) throw tooLarge(rule.name, index, size, criticalBytes);
    return size;
  }
  let raw: unknown;
  try {
    raw = rule.sizeOf(entry);
  } catch (thrown) {
    throw new BufferStoreError(`buffers.${rule.name}.sizeOf refused entry ${index} of the add: ${describeThrown(thrown)} (nothing of it was stored)`, {
      code: 'GOV_RINGBUFFER_INVALID_ENTRY',
      cause: thrown,
    });
  }
  if (typeof raw !== 'number' || !(raw >= 0 && raw <= Number.MAX_SAFE_INTEGER)) throw invalidSize(rule as SizeRule<never>, index, raw);
  const size = Math.ceil(raw) + rule.overheadBytes;
  if (size > criticalBytes) throw tooLarge(rule.name, index, size, criticalBytes);
  return size;
}

function tooLarge(name: string, index: number, size: number, criticalBytes: number): BufferStoreError {
  return new BufferStoreError(
    `add to ${describeName(name)}: entry ${index} counts ${size} bytes, more than the critical limit (${criticalBytes}); ` +
      'an entry must fit under criticalBytes by itself (nothing of the add was stored)',
    { code: 'GOV_RINGBUFFER_ENTRY_TOO_LARGE' },
  );
}

/**
 * The byte size of every entry of an add, checked before anything is stored: one number when
 * they all count the same (fixed sizes, a single entry), otherwise one size per entry.
 *
 * @throws {BufferStoreError} `GOV_RINGBUFFER_INVALID_ENTRY` (not an array, or `sizeOf` threw),
 *   `GOV_RINGBUFFER_INVALID_SIZE` (`sizeOf` returned no usable number),
 *   `GOV_RINGBUFFER_ENTRY_TOO_LARGE` (an entry over the critical limit by itself).
 */
export function measureEntries<E>(rule: SizeRule<E>, entries: readonly E[], criticalBytes: number): number | Float64Array {
  if (!Array.isArray(entries)) {
    throw new BufferStoreError(`add to ${describeName(rule.name)}: entries must be an array, got ${describeValue(entries)}`, {
      code: 'GOV_RINGBUFFER_INVALID_ENTRY',
    });
  }
  if (rule.fixedBytes >= 0) return rule.fixedBytes;
  const count = entries.length;
  if (count === 1) return measureOne(rule, entries[0] as E, 0, criticalBytes);
  // A fresh array per add: a sizeOf that adds to the store itself cannot overwrite these sizes.
  const sizes = new Float64Array(count);
  for (let i = 0; i < count; i += 1) sizes[i] = measureOne(rule, entries[i] as E, i, criticalBytes);
  return sizes;
}
