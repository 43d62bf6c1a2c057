import { describe, expect, it } from 'vitest';
import { TimeoutError } from './errors.js';
import { createDeadline, withDeadline, type Timers } from './timers.js';

/** Timers under the test's control: `fire()` runs what is scheduled, as if the time had come. */
function manualTimers() {
  const scheduled = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (callback, ms) => (scheduled.set(++next, { callback, ms }), next),
    clearTimeout: (handle) => void scheduled.delete(handle as number),
  };
  return {
    timers,
    scheduled: () => [...scheduled.values()].map(({ ms }) => ms),
    fire: () => {
      for (const [handle, { callback }] of [...scheduled]) {
        scheduled.delete(handle);
        callback();
      }
    },
  };
}

const late = () => new Error('too late');

describe('withDeadline', () => {
  it('settles as the work does and clears its timer', async () => {
    const clock = manualTimers();
    await expect(withDeadline(100, async () => 'done', { timers: clock.timers })).resolves.toBe('done');
    await expect(withDeadline(100, async () => Promise.reject(new Error('broken')), { timers: clock.timers })).rejects.toThrowError('broken');
    expect(clock.scheduled()).toEqual([]);
  });

  it('rejects at the deadline with the given error and aborts the work', async () => {
    const clock = manualTimers();
    let signal: AbortSignal | undefined;
    const pending = withDeadline(250, (given) => ((signal = given), new Promise<never>(() => undefined)), { timers: clock.timers, timeoutError: late });
    expect(clock.scheduled()).toEqual([250]);
    clock.fire();
    await expect(pending).rejects.toThrowError('too late');
    expect(signal?.aborted).toBe(true);
  });

  it('reports the deadline, not the abort, for work that rejects as soon as it is aborted', async () => {
    const clock = manualTimers();
    const pending = withDeadline(
      10,
      (signal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      { timers: clock.timers, timeoutError: late },
    );
    clock.fire();
    await expect(pending).rejects.toThrowError('too late');
  });

  it('rejects with a TimeoutError unless told otherwise', async () => {
    const clock = manualTimers();
    const pending = withDeadline(40, () => new Promise<never>(() => undefined), { timers: clock.timers });
    clock.fire();
    await expect(pending).rejects.toEqual(new TimeoutError(40));
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError', code: 'GOV_IO_TIMEOUT', timedOut: true, timeoutMs: 40, message: 'no answer within 40 ms' });
  });

  it('clears its timer when the work throws before it returns a promise', async () => {
    const clock = manualTimers();
    await expect(
      withDeadline(
        10,
        () => {
          throw new Error('no start');
        },
        { timers: clock.timers },
      ),
    ).rejects.toThrowError('no start');
    expect(clock.scheduled()).toEqual([]);
  });

  it('runs on the real timers by default', async () => {
    await expect(withDeadline(1, () => new Promise<never>(() => undefined))).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('createDeadline', () => {
  it('is one timer and one signal for several pieces of work, each with its own error', async () => {
    const clock = manualTimers();
    const deadline = createDeadline(1000, { timers: clock.timers });
    const quick = deadline.race(Promise.resolve('meminfo'), late);
    const slowA = deadline.race(new Promise<never>(() => undefined), () => new Error('vmstat too late'));
    const slowB = deadline.race(new Promise<never>(() => undefined), () => new Error('psi too late'));
    expect(clock.scheduled()).toEqual([1000]);
    await expect(quick).resolves.toBe('meminfo');
    clock.fire();
    await expect(slowA).rejects.toThrowError('vmstat too late');
    await expect(slowB).rejects.toThrowError('psi too late');
    expect(deadline.signal.aborted).toBe(true);
    // Racing after the deadline rejects at once.
    await expect(deadline.race(Promise.resolve('after'), late)).rejects.toThrowError('too late');
  });

  it('stops its timer on clear()', () => {
    const clock = manualTimers();
    createDeadline(5, { timers: clock.timers }).clear();
    expect(clock.scheduled()).toEqual([]);
  });
});
