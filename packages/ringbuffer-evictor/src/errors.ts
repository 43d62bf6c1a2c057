export type BufferStoreErrorCode =
  /** Options that cannot describe a working store: bad limits, capacities or size rules. */
  | 'GOV_RINGBUFFER_INVALID_OPTIONS'
  /** A buffer name the store was not created with. */
  | 'GOV_RINGBUFFER_UNKNOWN_BUFFER'
  /** A size function returned something that is not a finite, non-negative number. */
  | 'GOV_RINGBUFFER_INVALID_SIZE';

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
