/** The JSON body of every answer of govd's API that is not a success. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * An answer of govd's API that is not a success. govd throws it to answer with `status` and the
 * body `{ error: { code, message, details? } }`; the client rejects with it when govd answered so.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Nothing answered at the address (govd is not running there), or it did not answer in time. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
  readonly code = 'GOV_API_UNREACHABLE';
  constructor(
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`nothing answered at ${url}`, options);
  }
}
