import type { IntervalHandle } from './types.js';

/**
 * Starts a repeating timer that does not keep a Node process alive (`unref()` where the host's
 * handle has it; browsers return a number and need nothing).
 */
export function startInterval(
  callback: () => void,
  intervalMs: number,
  setIntervalFn: ((callback: () => void, intervalMs: number) => IntervalHandle) | undefined,
): IntervalHandle {
  const handle = (setIntervalFn ?? globalThis.setInterval)(callback, intervalMs);
  if (typeof handle === 'object' && handle !== null && 'unref' in handle && typeof handle.unref === 'function') {
    handle.unref();
  }
  return handle;
}
