import type { ContainersResponse } from '@gov/api';
import type { ContainerInfo, PauseDecision, PauseOneOptions, UnpauseResult } from '@gov/docker';
import type { ContainerPort } from '@gov/policies';
import { rememberLatest } from './latest-listing.js';

/** A container port whose listing is `@gov/docker`'s `ContainerInfo` (the real one is the Docker client). */
export interface DaemonContainers extends ContainerPort {
  listContainers?(): Promise<readonly ContainerInfo[]>;
  /** One container by name, for the Control Center's buttons; absent: govd cannot pause by name. */
  pause?(nameOrId: string, options: PauseOneOptions): Promise<PauseDecision>;
  unpause?(nameOrId: string): Promise<UnpauseResult>;
}

/** The daemon's container port, remembering its last listing for `GET /api/containers`. */
export interface ListedContainers extends DaemonContainers {
  /**
   * The last listing if it is younger than `maxAgeMs`, else a new one. Concurrent callers share
   * one listing; a failed one is an answer (`available: false`), not an error.
   */
  recent(maxAgeMs: number): Promise<ContainersResponse>;
}

/**
 * Wraps a container port so that every listing — the Governor's while it senses, or one made
 * for the API — is kept, and the API answers from it instead of asking Docker again.
 */
export function rememberListings(port: DaemonContainers, now: () => Date): ListedContainers {
  const list = port.listContainers?.bind(port);
  const latest =
    list &&
    rememberLatest(
      (): Promise<Omit<ContainersResponse, 'sampledAt'>> =>
        list().then(
          (containers) => ({ available: true, error: null, containers: [...containers] }),
          (error: unknown) => ({ available: false, error: error instanceof Error ? error.message : String(error), containers: [] }),
        ),
      now,
    );

  const withList = latest && {
    async listContainers(): Promise<readonly ContainerInfo[]> {
      const listing = await latest.listNow();
      // The Governor must know a listing failed: it degrades the tick's container reading.
      if (!listing.available) throw new Error(listing.error ?? 'the container listing failed');
      return listing.containers;
    },
  };

  /** A pause or unpause changes what the last listing says: the next answer lists anew. */
  const thenForget = <T>(done: Promise<T>) => done.finally(() => latest?.forget());

  return {
    pauseIdle: (options) => thenForget(port.pauseIdle(options)),
    ...(port.pause && { pause: (nameOrId: string, options: PauseOneOptions) => thenForget((port.pause as NonNullable<DaemonContainers['pause']>)(nameOrId, options)) }),
    ...(port.unpause && { unpause: (nameOrId: string) => thenForget((port.unpause as NonNullable<DaemonContainers['unpause']>)(nameOrId)) }),
    ...withList,
    async recent(maxAgeMs) {
      if (!latest) return { available: false, error: 'govd runs without a container listing', sampledAt: null, containers: [] };
      return latest.recent(maxAgeMs);
    },
  };
}
