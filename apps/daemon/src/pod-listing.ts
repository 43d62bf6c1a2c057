import type { PodsResponse } from '@gov/api';
import type { PodListing } from '@gov/docker';
import type { PodPort } from '@gov/policies';
import { rememberLatest } from './latest-listing.js';

/** A pod port whose listing is `@gov/docker`'s `PodListing` (the real one is the pod client). */
export interface DaemonPods extends PodPort {
  listPods(): Promise<PodListing>;
}

/** The daemon's pod port, remembering its last listing for `GET /api/pods` and the metrics. */
export interface ListedPods extends DaemonPods {
  /** The last listing if it is younger than `maxAgeMs`, else a new one; concurrent callers share one. */
  recent(maxAgeMs: number): Promise<PodsResponse>;
}

/** Wraps a pod port so that every listing — the Governor's while it senses, or one made for the API or a scrape — is kept. */
export function rememberPodListings(port: DaemonPods, now: () => Date): ListedPods {
  const latest = rememberLatest(
    (): Promise<Omit<PodsResponse, 'sampledAt'>> =>
      port.listPods().then(
        (listing) => ({ ...listing, error: null }),
        (error: unknown) => ({ kubernetes: false, driver: null, cgroupVersion: null, pods: [], error: error instanceof Error ? error.message : String(error) }),
      ),
    now,
  );
  return {
    reclaimIdle: (options) => port.reclaimIdle(options),
    async listPods() {
      const { sampledAt: _, error, ...listing } = await latest.listNow();
      if (error !== null) throw new Error(error);
      return listing;
    },
    recent: (maxAgeMs) => latest.recent(maxAgeMs),
  };
}
