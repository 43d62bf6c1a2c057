import type { ModelStore } from './model-file.js';

/** The advisor's side of its model store: writes in order, never two at once, never thrown at the advisor. */
export interface ModelSaver {
  /** Queues a write of `text`; a failure goes to `onError`. */
  save(text: string): void;
  /** Queues deleting the file; resolves whether there was one (rejects when deleting failed). */
  remove(): Promise<boolean>;
  /** Resolves when every write and delete queued so far has finished. */
  flush(): Promise<void>;
}

/**
 * Serialises the writes and deletes of one model store, so a later save never lands before an
 * earlier one. Without a store nothing is written and `remove` resolves false.
 */
export function createModelSaver(store: ModelStore | undefined, onError: (error: Error) => void): ModelSaver {
  let queue: Promise<void> = Promise.resolve();
  return {
    save(text) {
      if (!store) return;
      queue = queue.then(() => store.write(text)).catch((error: unknown) => onError(error as Error));
    },
    remove() {
      const removed = queue.then(() => (store ? store.remove() : false));
      queue = removed.then(
        () => undefined,
        (error: unknown) => onError(error as Error),
      );
      return removed;
    },
    flush: () => queue,
  };
}
