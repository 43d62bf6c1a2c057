import { DockerError } from './errors.js';

/** Timer functions, injectable so tests drive deadlines without waiting. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs `work` with a deadline. The work gets a signal that aborts at the deadline; the caller
 * gets a `GOV_DOCKER_UNAVAILABLE` error then, whether or not the work stops.
 */
export async function withDeadline<T>(what: string, timeoutMs: number, timers: Timers, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let handle: unknown;
  const deadline = new Promise<never>((_, reject) => {
    handle = timers.setTimeout(() => {
      controller.abort();
      reject(new DockerError(`${what}: no answer within ${timeoutMs} ms`, { code: 'GOV_DOCKER_UNAVAILABLE', timedOut: true }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    timers.clearTimeout(handle);
  }
}
