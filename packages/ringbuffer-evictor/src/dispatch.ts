import { BufferStoreError, describeThrown } from './errors.js';

type Listener = (payload: unknown) => void;

/** The part of an eventemitter3 emitter dispatching needs, typed loosely for any event map. */
export interface DispatchTarget {
  listeners(event: string): Listener[];
  removeListener(event: string, fn: Listener, context: undefined, once: boolean): unknown;
  listenerCount(event: string): number;
}

/** Surfaces an error no listener took as an uncaught exception, after the store's work is done. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

function report(target: DispatchTarget, event: string, thrown: unknown): void {
  // An `error` listener that throws has nowhere left to report to.
  if (event === 'error') return rethrowLater(thrown);
  const error = new BufferStoreError(`a "${event}" listener threw: ${describeThrown(thrown)}`, { code: 'GOV_RINGBUFFER_LISTENER_FAILED', cause: thrown });
  if (target.listenerCount('error') === 0) return rethrowLater(error);
  dispatchIsolated(target, 'error', error);
}

/**
 * Calls every listener of `event` in turn, as eventemitter3's `emit` does (once-listeners are
 * removed before they run, `this` is the emitter), except that a listener that throws neither
 * stops the others nor reaches the caller: it is reported through the `error` event.
 */
export function dispatchIsolated(target: DispatchTarget, event: string, payload: unknown): void {
  const listeners = target.listeners(event);
  for (const listener of listeners) {
    target.removeListener(event, listener, undefined, true);
    try {
      listener.call(target, payload);
    } catch (thrown) {
      report(target, event, thrown);
    }
  }
}
