/** A listing and when it was made. */
export type Sampled<T> = T & { sampledAt: string };

/** The last listing of something govd senses (containers, pods), shared by the Governor, the API and the metrics. */
export interface LatestListing<T> {
  /** Lists now; a listing already running is shared. It becomes the latest whatever it says. */
  listNow(): Promise<Sampled<T>>;
  /** The latest listing if it is younger than `maxAgeMs`, else a new one. */
  recent(maxAgeMs: number): Promise<Sampled<T>>;
  /** Drops the latest listing (an action changed what it says): the next `recent()` lists anew. */
  forget(): void;
}

/**
 * Keeps the last answer of `list` — whoever asked for it — and answers `recent()` from it while
 * it is young enough, so a scrape or an API request does not list again right after a tick did.
 * `list` must turn its own failures into an answer: a rejection is passed on and not kept.
 */
export function rememberLatest<T extends object>(list: () => Promise<T>, now: () => Date): LatestListing<T> {
  let last: Sampled<T> | null = null;
  let running: Promise<Sampled<T>> | null = null;
  function listNow(): Promise<Sampled<T>> {
    running ??= list()
      .then((value) => (last = { ...value, sampledAt: now().toISOString() }))
      .finally(() => {
        running = null;
      });
    return running;
  }
  return {
    listNow,
    async recent(maxAgeMs) {
      if (last !== null && now().getTime() - Date.parse(last.sampledAt) <= maxAgeMs) return last;
      return listNow();
    },
    forget() {
      last = null;
    },
  };
}
