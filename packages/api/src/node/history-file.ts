import * as nodeFs from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '@gov/io';
import { formatHistoryLine, parseHistory, type GovConfig, type HistoryRecord } from '@gov/policies';
import type { HistoryRead } from '../types.js';
import { HistoryFileError } from './errors.js';

/** The subset of `node:fs/promises` the history file uses; tests pass a recording wrapper. */
export type HistoryFs = Pick<typeof nodeFs, 'open' | 'rename' | 'stat' | 'readFile' | 'mkdir'>;

export interface HistoryFileOptions {
  /** The JSON Lines file, e.g. `<state_dir>/history.jsonl`; the previous one is `<path>.1`. */
  path: string;
  /** Rotate before an append would take the file past this size. */
  maxBytes: number;
  fs?: HistoryFs;
}

/** The rotation size a config asks for (`daemon.history_max_mb`), in bytes. */
export function historyMaxBytes(config: GovConfig): number {
  return config.daemon.history_max_mb * 1024 * 1024;
}

type Handle = Awaited<ReturnType<HistoryFs['open']>>;

/**
 * The append-only history: one JSON line per record, each append written and fsync'd before
 * it resolves, appends serialised, rotated at `maxBytes` keeping one previous file. A torn last
 * line left by a crash is ended before the first append, and skipped on read. govd holds one
 * open; gov opens one for a single append when govd is not running.
 */
export function createHistoryFile(options: HistoryFileOptions) {
  const fs = options.fs ?? nodeFs;
  const { path } = options;
  let maxBytes = options.maxBytes;
  let handle: Handle | null = null;
  let size = 0;
  let queue: Promise<unknown> = Promise.resolve();

  async function openCurrent(): Promise<Handle> {
    if (handle) return handle;
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const opened = await fs.open(path, 'a+', 0o600);
    const stat = await opened.stat();
    size = stat.size;
    if (size > 0) {
      // A crash mid-write leaves a line without its newline; end it so the next record
      // starts on a line of its own (the torn line is then skipped on read).
      const last = Buffer.alloc(1);
      await opened.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        await opened.write('\n');
        size += 1;
      }
    } else {
      await syncDirectory(dirname(path), { fs });
    }
    handle = opened;
    return opened;
  }

  async function rotate(): Promise<void> {
    await handle?.close();
    handle = null;
    await fs.rename(path, `${path}.1`);
    await syncDirectory(dirname(path), { fs });
  }

  async function appendNow(record: HistoryRecord): Promise<void> {
    const formatted = formatHistoryLine(record);
    const line = formatted.endsWith('\n') ? formatted : `${formatted}\n`;
    const bytes = Buffer.byteLength(line);
    let current = await openCurrent();
    if (size > 0 && size + bytes > maxBytes) {
      await rotate();
      current = await openCurrent();
    }
    await current.write(line);
    await current.sync();
    size += bytes;
  }

  async function readOne(file: string): Promise<{ records: HistoryRecord[]; skipped: number }> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0 };
      throw error;
    }
    return parseHistory(text);
  }

  return {
    path,
    /** Appends one record; resolves once it is on disk. Appends never interleave. */
    append(record: HistoryRecord): Promise<void> {
      const run = queue.then(() => appendNow(record));
      queue = run.catch(() => undefined);
      return run.catch((error: unknown) => {
        throw new HistoryFileError(`cannot append to the history file ${path}: ${(error as Error).message}`, { cause: error });
      });
    },
    /** The last `limit` records across the previous and the current file, oldest first. */
    async read(limit = Number.POSITIVE_INFINITY): Promise<HistoryRead> {
      try {
        const previous = await readOne(`${path}.1`);
        const current = await readOne(path);
        const records = [...previous.records, ...current.records];
        return { records: limit >= records.length ? records : records.slice(records.length - limit), skipped: previous.skipped + current.skipped };
      } catch (error) {
        throw new HistoryFileError(`cannot read the history file ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
    /** Takes a new rotation size (after a config change); applies from the next append. */
    setMaxBytes(bytes: number): void {
      maxBytes = bytes;
    },
    /** Waits for pending appends and closes the file. */
    async close(): Promise<void> {
      await queue;
      await handle?.close();
      handle = null;
    },
  };
}

export type HistoryFile = ReturnType<typeof createHistoryFile>;
