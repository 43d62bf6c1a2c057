import { TimeoutError } from './errors.js';

/**
 * The timer port: what a deadline or a schedule needs from the host. Inject fakes to drive time
 * in tests without waiting; `systemTimers` is the real one.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The host's own `setTimeout`/`clearTimeout`. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** One deadline that several pieces of work can share: one timer, one `AbortSignal`. */
export interface Deadline {
  /** Aborts when the deadline passes: hand it to the work so that it can stop. */
  readonly signal: AbortSignal;
  /**
   * Settles as `work` does, unless the deadline passes first: then it rejects with
   * `timeoutError()` at once, whether or not the work stops. Work that fails once the deadline
   * has passed (typically because it saw the abort) rejects with `timeoutError()` too.
   */
  race<T>(work: Promise<T>, timeoutError: () => Error): Promise<T>;
  /** Stops the timer; call it once nothing races against the deadline any more. */
  clear(): void;
}

export interface DeadlineOptions {
  /** Default `systemTimers`. */
  timers?: Timers;
}

/** Starts a deadline `timeoutMs` from now. */
export function createDeadline(timeoutMs: number, options: DeadlineOptions = {}): Deadline {
  const timers = options.timers ?? systemTimers;
  const controller = new AbortController();
  const { signal } = controller;
  const handle = timers.setTimeout(() => controller.abort(), timeoutMs);
  return {
    signal,
    race: (work, timeoutError) =>
      new Promise((resolve, reject) => {
        const expire = () => reject(timeoutError());
        // Listening on the signal (not a second timer) makes the deadline win even over work
        // that rejects synchronously inside its own abort listener.
        signal.addEventListener('abort', expire, { once: true });
        work.then(
          (value) => {
            signal.removeEventListener('abort', expire);
            resolve(value);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', expire);
            reject(signal.aborted ? timeoutError() : error);
          },
        );
        if (signal.aborted) expire();
      }),
    clear: () => timers.clearTimeout(handle),
  };
}

export interface WithDeadlineOptions extends DeadlineOptions {
  /** The error to reject with at the deadline; default a `TimeoutError` (`GOV_IO_TIMEOUT`). */
  timeoutError?: () => Error;
}

/**
 * Runs `work` with a deadline of its own: the work gets a signal that aborts at the deadline,
 * and the caller gets `timeoutError()` then, whether or not the work stops.
 */
export async function withDeadline<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>, options: WithDeadlineOptions = {}): Promise<T> {
  const deadline = createDeadline(timeoutMs, options);
  try {
    return await deadline.race(work(deadline.signal), options.timeoutError ?? (() => new TimeoutError(timeoutMs)));
  } finally {
    deadline.clear();
  }
}
