import * as nodeFs from 'node:fs/promises';
import { errnoOf, writeFileAtomic, type AtomicWriteFs } from '@gov/io';
import { DockerError } from './errors.js';

/** A container gov paused. */
export interface PausedRecord {
  id: string;
  name: string;
  /** ISO 8601 time gov paused it. */
  pausedAt: string;
  /** Bytes that left its cgroup between before the pause and after the reclaim. */
  freedBytes: number;
}

/** The file calls the state store makes: `writeFileAtomic`'s and a read; `node:fs/promises` is one. */
export interface StateFs extends AtomicWriteFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

export const nodeStateFs: StateFs = nodeFs;

/**
 * Parses the state file. Entries that are not records are dropped rather than fatal: the file
 * only remembers what to resume, and a record without an id cannot be resumed anyway.
 */
export function parsePausedState(text: string, source = 'state file'): PausedRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DockerError(`${source} is not JSON: ${(error as Error).message}`, { code: 'GOV_DOCKER_STATE', cause: error });
  }
  const containers = (raw as { containers?: unknown } | null)?.containers;
  if (!Array.isArray(containers)) throw new DockerError(`${source} has no "containers" list`, { code: 'GOV_DOCKER_STATE' });
  const records: PausedRecord[] = [];
  for (const entry of containers as unknown[]) {
    const record = entry as Partial<Record<keyof PausedRecord, unknown>> | null;
    if (typeof record?.id !== 'string' || !/^[0-9a-f]{12,64}$/.test(record.id) || typeof record.name !== 'string') continue;
    records.push({
      id: record.id,
      name: record.name,
      pausedAt: typeof record.pausedAt === 'string' ? record.pausedAt : '',
      freedBytes: typeof record.freedBytes === 'number' && Number.isFinite(record.freedBytes) && record.freedBytes >= 0 ? record.freedBytes : 0,
    });
  }
  return records;
}

/** The text of the state file for `records`. */
export function formatPausedState(records: readonly PausedRecord[]): string {
  return `${JSON.stringify({ version: 1, containers: records }, null, 2)}\n`;
}

export interface PausedStateStore {
  readonly file: string;
  read(): Promise<PausedRecord[]>;
  /**
   * Reads, changes and writes the records as one step (serialised within this process). The
   * write is atomic (`writeFileAtomic` of `@gov/io`: fsync'd, renamed over the state file), so
   * a crash leaves either the old or the new list, never half of one.
   */
  update(change: (records: PausedRecord[]) => PausedRecord[]): Promise<PausedRecord[]>;
}

/** The list of containers gov paused, kept in one JSON file. */
export function createPausedStateStore(options: { file: string; fs?: StateFs }): PausedStateStore {
  const fs = options.fs ?? nodeStateFs;
  const file = options.file;
  let queue: Promise<unknown> = Promise.resolve();

  const read = async (): Promise<PausedRecord[]> => {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw new DockerError(`cannot read ${file}: ${errnoOf(error) ?? (error as Error).message}`, { code: 'GOV_DOCKER_STATE', cause: error });
    }
    return text.trim() === '' ? [] : parsePausedState(text, file);
  };

  const write = async (records: PausedRecord[]): Promise<void> => {
    try {
      await writeFileAtomic(file, formatPausedState(records), { fs, mode: 0o600, dirMode: 0o700 });
    } catch (error) {
      throw new DockerError(`cannot write ${file}: ${errnoOf(error) ?? (error as Error).message}`, { code: 'GOV_DOCKER_STATE', cause: error });
    }
  };

  return {
    file,
    read,
    update(change) {
      const run = queue.then(async () => {
        const before = await read();
        const after = change(before.map((record) => ({ ...record })));
        if (JSON.stringify(after) !== JSON.stringify(before)) await write(after);
        return after;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
