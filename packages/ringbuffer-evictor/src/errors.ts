export type BufferStoreErrorCode =
  /** Options that cannot describe a working store: bad limits, capacities or size rules. */
  | 'GOV_RINGBUFFER_INVALID_OPTIONS'
  /** A buffer name the store was not created with. */
  | 'GOV_RINGBUFFER_UNKNOWN_BUFFER'
  /** A size function returned something that is not a finite, non-negative number. */
  | 'GOV_RINGBUFFER_INVALID_SIZE'
  /** An add whose entries are not an array, or an entry its buffer's size rule cannot measure. */
  | 'GOV_RINGBUFFER_INVALID_ENTRY'
  /** One entry counts more bytes than the critical limit: no eviction could make room for it. */
  | 'GOV_RINGBUFFER_ENTRY_TOO_LARGE'
  /** An event listener threw; delivered through the `error` event, never thrown by the store. */
  | 'GOV_RINGBUFFER_LISTENER_FAILED';

/** Misuse of a buffer store; enforcement itself never throws. */
export class BufferStoreError extends Error {
  override readonly name = 'BufferStoreError';
  readonly code: BufferStoreErrorCode;
  /** Every problem found, for `GOV_RINGBUFFER_INVALID_OPTIONS`; otherwise the one problem. */
  readonly problems: readonly string[];

  constructor(message: string, details: { code: BufferStoreErrorCode; problems?: readonly string[]; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.problems = details.problems ?? [message];
  }
}

/** Options that cannot work, every problem listed (one a line in the message, all in `problems`). */
export function invalidOptions(subject: string, problems: readonly string[]): BufferStoreError {
  return new BufferStoreError(`invalid ${subject} options:\n  ${problems.join('\n  ')}`, { code: 'GOV_RINGBUFFER_INVALID_OPTIONS', problems });
}

/**
 * A value as an error message shows it, whatever it is: never throws (symbols, null-prototype
 * objects and objects with a throwing `toString` included) and never prints more than a line.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n (a bigint)`;
    case 'symbol':
      return `${value.description === undefined ? 'Symbol()' : `Symbol(${value.description})`} (a symbol)`;
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return `${value} (a boolean)`;
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `an array of ${value.length}`;
      return 'an object';
  }
}

/** What a thrown value says, for a message that wraps it; never throws itself. */
export function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : describeValue(thrown);
  } catch {
    return 'an error that cannot be shown';
  }
}

/** A buffer name as messages show it: quoted, and safe for any value a caller passes. */
export function describeName(name: unknown): string {
  return typeof name === 'string' ? JSON.stringify(name) : describeValue(name);
}
