import type { Readable } from 'node:stream';
import { DockerError } from './errors.js';
import type { EngineContainer } from './engine.js';

/** One entry of the engine's container list: what says whether a cached inspect still holds. */
export interface ListedEntry {
  id: string;
  /** `running`, `paused`, … as the list reports it. */
  state: string;
}

export interface ContainerCacheOptions {
  inspect(id: string): Promise<EngineContainer>;
  /**
   * Opens the engine's event stream (`GET /events`, newline-separated JSON) filtered to the
   * events that change what an inspect says. Absent: nothing is cached, every listing inspects.
   */
  openEvents?: () => Promise<Readable>;
}

/** Inspect answers kept between listings while the engine's events say they still hold. */
export interface ContainerCache {
  /** The listed containers inspected, from the cache where it holds; a container removed meanwhile is left out. */
  describe(listed: readonly ListedEntry[]): Promise<EngineContainer[]>;
  /** Stops watching the engine's events and forgets everything. */
  close(): void;
}

/**
 * Engine events after which an inspect answer no longer holds: a new process (start, restart),
 * a new state (die, stop, kill, pause, unpause, oom), a new limit (update), a new name (rename),
 * a removal (destroy), and a network joined or left (the aliases the dependency guard reads).
 */
export const INVALIDATING_EVENTS = ['start', 'restart', 'die', 'stop', 'kill', 'oom', 'pause', 'unpause', 'update', 'rename', 'destroy', 'connect', 'disconnect'] as const;

/** Longest event line accepted; an engine event is a few hundred bytes. */
const MAX_EVENT_LINE = 1024 * 1024;

/** The container an event is about: the actor of a container event, the `container` attribute of a network one. */
export function containerOfEvent(event: unknown): string | null {
  const raw = event as { Type?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> | null } | null } | null;
  if (raw === null || typeof raw !== 'object') return null;
  const id = raw.Type === 'network' ? raw.Actor?.Attributes?.['container'] : raw.Actor?.ID;
  return typeof id === 'string' && id !== '' ? id : null;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Keeps each container's inspect answer, keyed by id, for as long as the engine's event stream
 * is connected and has said nothing about that container; a listing that shows a new id or a
 * changed state inspects it again. Without a live event stream every listing inspects every
 * container (what an engine without events costs: one list and N inspects).
 */
export function createContainerCache(options: ContainerCacheOptions): ContainerCache {
  const cache = new Map<string, EngineContainer>();
  // Bumped by every event about a container: an inspect that was in flight then is not kept.
  const generations = new Map<string, number>();
  let watching: Promise<boolean> | null = null;
  let stream: Readable | null = null;
  // Bumped when the stream ends: nothing inspected under an older one is kept.
  let epoch = 0;
  let describing = 0;

  const generationOf = (id: string) => generations.get(id) ?? 0;

  function forget(id: string): void {
    cache.delete(id);
    generations.set(id, generationOf(id) + 1);
  }

  function lose(ended: Readable): void {
    if (stream !== ended) return;
    stream = null;
    watching = null;
    epoch += 1;
    cache.clear();
  }

  function follow(events: Readable): void {
    let pending = '';
    events.setEncoding('utf8');
    events.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== '') {
          let event: unknown = null;
          try {
            event = JSON.parse(line);
          } catch {
            // Not an event: the stream cannot be trusted any more.
            events.destroy();
            return;
          }
          const id = containerOfEvent(event);
          if (id !== null) forget(id);
        }
        newline = pending.indexOf('\n');
      }
      if (pending.length > MAX_EVENT_LINE) events.destroy();
    });
    events.on('error', () => lose(events));
    events.on('close', () => lose(events));
    events.on('end', () => lose(events));
  }

  function watch(): Promise<boolean> {
    if (!options.openEvents) return Promise.resolve(false);
    watching ??= options.openEvents().then(
      (events) => {
        stream = events;
        follow(events);
        return true;
      },
      () => {
        // No events now: inspect everything this time and try again at the next listing.
        watching = null;
        return false;
      },
    );
    return watching;
  }

  async function describe(listed: readonly ListedEntry[]): Promise<EngineContainer[]> {
    const live = await watch();
    const startEpoch = epoch;
    describing += 1;
    const inspected = await mapLimited(listed, 8, async (entry) => {
      const cached = live ? cache.get(entry.id) : undefined;
      if (cached !== undefined && cached.state === entry.state) return cached;
      const generation = generationOf(entry.id);
      let fresh: EngineContainer;
      try {
        fresh = await options.inspect(entry.id);
      } catch (error) {
        // Removed between the list and the inspect: it is simply not there any more.
        if (error instanceof DockerError && error.code === 'GOV_DOCKER_NOT_FOUND') return null;
        throw error;
      }
      if (live && stream !== null && epoch === startEpoch && generationOf(entry.id) === generation) cache.set(entry.id, fresh);
      return fresh;
    }).finally(() => {
      describing -= 1;
    });
    const ids = new Set(listed.map((entry) => entry.id));
    for (const id of [...cache.keys()]) if (!ids.has(id)) cache.delete(id);
    // A generation only matters to an inspect in flight: none is once every listing is done.
    if (describing === 0) generations.clear();
    return inspected.filter((container): container is EngineContainer => container !== null);
  }

  return {
    describe,
    close() {
      const open = stream;
      if (open !== null) {
        lose(open);
        open.destroy();
      }
    },
  };
}
