import { ReclaimError } from './errors.js';

/** Lets one reclaim run at a time; the others wait their turn or are refused. */
export interface ReclaimLock {
  /** Resolves with a release function once the lock is held; a release may be asynchronous (a file to remove). */
  acquire(whenBusy: 'wait' | 'fail'): Promise<() => void | Promise<void>>;
  readonly busy: boolean;
}

export function createReclaimLock(): ReclaimLock {
  let held = false;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else held = false;
  };
  return {
    get busy() {
      return held;
    },
    acquire(whenBusy) {
      if (!held) {
        held = true;
        return Promise.resolve(once(release));
      }
      if (whenBusy === 'fail') {
        return Promise.reject(new ReclaimError('GOV_RECLAIM_BUSY', 'another reclaim is running in this process; try again when it has finished'));
      }
      return new Promise((resolve) => waiting.push(() => resolve(once(release))));
    },
  };
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}

/** The lock every reclaimer of this process shares unless given its own. */
export const processReclaimLock: ReclaimLock = createReclaimLock();
