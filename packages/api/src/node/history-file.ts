import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '@gov/io';
import { formatHistoryLine, type GovConfig, type HistoryRecord } from '@gov/policies';
import type { HistoryRead } from '../types.js';
import { HistoryFileError } from './errors.js';
import { emptyScan, scanTail } from './history-tail.js';
import { assertTrusted, currentOwner, refusedLink, type StateOwner } from './state-trust.js';

/** The subset of `node:fs/promises` the history file uses; tests pass a recording wrapper. */
export type HistoryFs = Pick<typeof nodeFs, 'open' | 'rename' | 'stat' | 'readFile' | 'mkdir'>;

export interface HistoryFileOptions {
  /** The JSON Lines file, e.g. `<state_dir>/history.jsonl`; the previous one is `<path>.1`. */
  path: string;
  /** Rotate before an append would take the file past this size. */
  maxBytes: number;
  fs?: HistoryFs;
  /** The user the file must belong to; default this process's. */
  owner?: StateOwner;
}

/** Whether appends work now, and how many have failed since the file was opened. */
export interface HistoryWriteStatus {
  /** False after a failed append, until one succeeds. */
  writable: boolean;
  failures: number;
  /** Why the last append failed; `null` once one succeeds again. */
  lastError: string | null;
}

/** The rotation size a config asks for (`daemon.history_max_mb`), in bytes. */
export function historyMaxBytes(config: GovConfig): number {
  return config.daemon.history_max_mb * 1024 * 1024;
}

type Handle = Awaited<ReturnType<HistoryFs['open']>>;

/** `a+` without following a symlink. */
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * The append-only history: one JSON line per record, each append written and fsync'd before
 * it resolves, appends serialised, rotated at `maxBytes` keeping one previous file. A torn last
 * line left by a crash is ended before the first append, and skipped on read. An append that
 * fails (a full disk) is cut off again — the file is truncated to its last complete line — before
 * the next one is written, so no later record is glued to a fragment. The file is opened without
 * following a symlink and refused when another user owns it or others may write it. Reads scan
 * from the end of the files, bounded, and concurrent reads share one scan. govd holds one open;
 * gov opens one for a single append when govd is not running.
 */
export function createHistoryFile(options: HistoryFileOptions) {
  const fs = options.fs ?? nodeFs;
  const owner = options.owner ?? currentOwner();
  const { path } = options;
  let maxBytes = options.maxBytes;
  let handle: Handle | null = null;
  /** Bytes of complete, fsync'd lines: where the file is cut back to after a failed append. */
  let size = 0;
  /** A failed append may have left a fragment after `size`. */
  let torn = false;
  const status: HistoryWriteStatus = { writable: true, failures: 0, lastError: null };
  let queue: Promise<unknown> = Promise.resolve();
  let sharedRead: { limit: number; appended: number; read: Promise<HistoryRead> } | null = null;
  /** Appends done so far: a read shared by a later caller must have seen every one of them. */
  let appended = 0;

  async function openCurrent(): Promise<Handle> {
    if (handle) return handle;
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    let opened: Handle;
    try {
      opened = await fs.open(path, APPEND_FLAGS, 0o600);
    } catch (error) {
      throw refusedLink(error, path, 'history file');
    }
    try {
      const stat = await opened.stat();
      assertTrusted(stat, path, owner, 'file', 'history file');
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
    } catch (error) {
      await opened.close();
      throw error;
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
    const line = Buffer.from(formatted.endsWith('\n') ? formatted : `${formatted}\n`);
    let current = await openCurrent();
    if (torn) {
      // What a failed append left after the last complete line goes before anything is added.
      await current.truncate(size);
      await current.sync();
      torn = false;
    }
    if (size > 0 && size + line.length > maxBytes) {
      await rotate();
      current = await openCurrent();
    }
    try {
      // A short write (a disk filling up) is continued; its failure leaves a fragment to cut.
      for (let written = 0; written < line.length; ) written += (await current.write(line, written, line.length - written)).bytesWritten;
      await current.sync();
    } catch (error) {
      torn = true;
      throw error;
    }
    size += line.length;
  }

  /** The last `limit` records across the previous and the current file, oldest first. */
  async function readTail(limit: number): Promise<HistoryRead> {
    const scan = emptyScan();
    await scanTail(fs, path, limit, scan);
    if (scan.records.length < limit) await scanTail(fs, `${path}.1`, limit, scan);
    return { records: scan.records.slice(0, limit).reverse(), skipped: scan.skipped };
  }

  return {
    path,
    /** Appends one record; resolves once it is on disk. Appends never interleave. */
    append(record: HistoryRecord): Promise<void> {
      const run = queue.then(() => appendNow(record));
      queue = run.catch(() => undefined);
      return run.then(
        () => {
          appended += 1;
          status.writable = true;
          status.lastError = null;
        },
        (error: unknown) => {
          status.writable = false;
          status.failures += 1;
          status.lastError = (error as Error).message;
          throw error instanceof HistoryFileError ? error : new HistoryFileError(`cannot append to the history file ${path}: ${(error as Error).message}`, { cause: error });
        },
      );
    },
    /**
     * The last `limit` records across the previous and the current file, oldest first, and how
     * many lines met on the way were not records. Reads from the end: the cost follows `limit`,
     * not the files' size. A read asked for while one with at least this limit runs, and no
     * append has finished since it started, shares it.
     */
    read(limit = Number.POSITIVE_INFINITY): Promise<HistoryRead> {
      const running = sharedRead;
      if (running && running.limit >= limit && running.appended === appended) return running.read.then((read) => ({ records: read.records.slice(Math.max(0, read.records.length - limit)), skipped: read.skipped }));
      const read = readTail(limit).catch((error: unknown) => {
        throw error instanceof HistoryFileError ? error : new HistoryFileError(`cannot read the history file ${path}: ${(error as Error).message}`, { cause: error });
      });
      const entry = { limit, appended, read };
      sharedRead = entry;
      void read.then(
        () => undefined,
        () => undefined,
      ).finally(() => {
        if (sharedRead === entry) sharedRead = null;
      });
      return read;
    },
    /**
     * Opens the file for appending now, running its checks (not a symlink, a regular file, owned
     * by govd's user, writable by no one else): govd refuses to start on a file it cannot trust.
     */
    open(): Promise<void> {
      const run = queue.then(() => openCurrent());
      queue = run.catch(() => undefined);
      return run.then(
        () => undefined,
        (error: unknown) => {
          throw error instanceof HistoryFileError ? error : new HistoryFileError(`cannot open the history file ${path}: ${(error as Error).message}`, { cause: error });
        },
      );
    },
    /** Whether appends work now (a full disk makes them fail until space is freed). */
    writeStatus(): HistoryWriteStatus {
      return { ...status };
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
