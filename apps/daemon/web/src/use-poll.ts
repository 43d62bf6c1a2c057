import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './session.js';

/** The last answer of a poll, the last failure, and a way to ask again now. */
export interface Polled<T> {
  data: T | null;
  error: string | null;
  refresh: () => void;
}

/**
 * Calls `load` now, every `intervalMs` while the page is visible, and at once when it becomes
 * visible again; a new `key` starts over. Failures are kept beside the last good answer.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, key = '', first?: Promise<T>): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  // A request started before the first render answers the first poll.
  const early = useRef(first);

  const run = useCallback(() => {
    const mine = generation.current;
    const pending = early.current ?? loadRef.current();
    early.current = undefined;
    pending.then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      },
      (failure: unknown) => {
        if (mine === generation.current) setError(describeError(failure));
      },
    );
  }, []);

  useEffect(() => {
    generation.current += 1;
    run();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') run();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs, key, run]);

  return { data, error, refresh: run };
}
