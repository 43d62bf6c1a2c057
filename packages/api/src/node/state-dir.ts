import { join } from 'node:path';
import { MODEL_FILE_NAME } from '@gov/neural';

/** Name of the API bearer token file inside the state directory. */
export const TOKEN_FILE = 'token';
/** Name of the history file inside the state directory; the one before the last rotation is `history.jsonl.1`. */
export const HISTORY_FILE = 'history.jsonl';
/** Name of the lock file a reclaim holds, so govd and `gov reclaim` never reclaim at once. */
export const RECLAIM_LOCK_FILE = 'reclaim.lock';

/** The files govd keeps in its state directory (`daemon.state_dir`), which gov reads too. */
export interface StateFiles {
  dir: string;
  /** The API bearer token, mode 0600. */
  token: string;
  /** The history, JSON Lines. */
  history: string;
  /** The history before the last rotation. */
  previousHistory: string;
  /** The learned advisor's model (`@gov/neural`). */
  model: string;
  /** Held while a reclaim runs (`createFileReclaimLock` of `@gov/reclaimer`). */
  reclaimLock: string;
}

/** Where each of govd's files is in `stateDir`. */
export function stateFiles(stateDir: string): StateFiles {
  const history = join(stateDir, HISTORY_FILE);
  return { dir: stateDir, token: join(stateDir, TOKEN_FILE), history, previousHistory: `${history}.1`, model: join(stateDir, MODEL_FILE_NAME), reclaimLock: join(stateDir, RECLAIM_LOCK_FILE) };
}
