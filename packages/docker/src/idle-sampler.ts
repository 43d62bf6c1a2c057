/** One CPU reading of one container. */
export interface CpuSample {
  id: string;
  /** When it was taken, in milliseconds since the epoch. */
  atMs: number;
  /** Cumulative CPU time of the container in nanoseconds. */
  cpuUsageNs: number;
  /** `running`, `paused`, …: a change resets the idle window. */
  state: string;
  /** When the container (last) started: a change means it restarted, which resets the window. */
  startedAt: string;
}

/** What the sampler knows about one container. */
export interface IdleStatus {
  /** CPU use over the last interval between two samples, in percent of one core; `null` after one sample. */
  cpuPercent: number | null;
  /**
   * How long every interval has stayed below the idle threshold, measured up to the last sample.
   * `0` right after a busy interval, a restart or a state change.
   */
  idleForMs: number;
  /** Samples taken since the window last reset. */
  samples: number;
}

export interface IdleSamplerOptions {
  /** CPU percent (of one core) under which an interval counts as idle; default 1. */
  idleCpuPercent?: number;
  /** Containers tracked at most; the one sampled longest ago is forgotten first. Default 4096. */
  maxContainers?: number;
}

export interface IdleSampler {
  /** Adds a sample and returns the container's status after it. */
  record(sample: CpuSample): IdleStatus;
  /** The container's status, or `null` when it has never been sampled. */
  status(id: string): IdleStatus | null;
  /** Whether the container has stayed below the threshold for at least `idleForMs`. */
  isIdle(id: string, idleForMs: number): boolean;
  /** Forgets every container not in `ids` (containers that are gone). */
  retain(ids: Iterable<string>): void;
  /** Containers tracked now. */
  readonly size: number;
  readonly idleCpuPercent: number;
}

interface Track {
  atMs: number;
  cpuUsageNs: number;
  state: string;
  startedAt: string;
  idleSinceMs: number;
  cpuPercent: number | null;
  samples: number;
}

/**
 * Idle detection in constant memory per container: it keeps the last sample and the time since
 * which every interval stayed below the threshold, so "idle for the whole window" is
 * `last sample − idle since ≥ window` whatever the window is. A busy interval moves the start to
 * that sample; a restart, a state change or a CPU counter that went backwards starts over. A sample no later
 * than the previous one adds nothing.
 */
export function createIdleSampler(options: IdleSamplerOptions = {}): IdleSampler {
  const idleCpuPercent = options.idleCpuPercent ?? 1;
  const maxContainers = options.maxContainers ?? 4096;
  if (!(idleCpuPercent > 0)) throw new RangeError(`idleCpuPercent must be above 0, got ${idleCpuPercent}`);
  if (!Number.isInteger(maxContainers) || maxContainers < 1) throw new RangeError(`maxContainers must be a whole number of at least 1, got ${maxContainers}`);
  const tracks = new Map<string, Track>();

  const toStatus = (track: Track): IdleStatus => ({ cpuPercent: track.cpuPercent, idleForMs: track.atMs - track.idleSinceMs, samples: track.samples });

  return {
    idleCpuPercent,
    get size() {
      return tracks.size;
    },
    record(sample) {
      const previous = tracks.get(sample.id);
      tracks.delete(sample.id);
      let track: Track;
      const sameRun = previous !== undefined && previous.state === sample.state && previous.startedAt === sample.startedAt;
      if (sameRun && sample.atMs <= previous.atMs) {
        // No time has passed (two listings in the same millisecond): nothing new to measure.
        track = previous;
      } else if (!sameRun || sample.cpuUsageNs < previous.cpuUsageNs) {
        track = { ...sample, idleSinceMs: sample.atMs, cpuPercent: null, samples: 1 };
      } else {
        const last = previous as Track;
        const cpuPercent = ((sample.cpuUsageNs - last.cpuUsageNs) / ((sample.atMs - last.atMs) * 1e6)) * 100;
        const idleSinceMs = cpuPercent < idleCpuPercent ? last.idleSinceMs : sample.atMs;
        track = { ...sample, idleSinceMs, cpuPercent, samples: last.samples + 1 };
      }
      tracks.set(sample.id, track);
      // Map keeps insertion order and each record re-inserts, so the first key is the stalest.
      while (tracks.size > maxContainers) tracks.delete(tracks.keys().next().value as string);
      return toStatus(track);
    },
    status(id) {
      const track = tracks.get(id);
      return track === undefined ? null : toStatus(track);
    },
    isIdle(id, idleForMs) {
      const track = tracks.get(id);
      return track !== undefined && track.samples > 1 && track.atMs - track.idleSinceMs >= idleForMs;
    },
    retain(ids) {
      const keep = new Set(ids);
      for (const id of [...tracks.keys()]) if (!keep.has(id)) tracks.delete(id);
    },
  };
}
