import type * as nodeFs from 'node:fs/promises';
import { parseHistoryLine, type HistoryRecord } from '@gov/policies';
import { StateDirError } from './errors.js';
import { READ_FLAGS, refusedLink } from './state-trust.js';

/** The longest history line read back; a longer one is skipped (and counted) without being held. */
export const MAX_HISTORY_LINE_BYTES = 64 * 1024;
/** At most this many bytes of records are held for one read, whatever the limit. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;
/** At most this many bytes of the files are scanned for one read, so a file of garbage costs a bounded read. */
const MAX_SCAN_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

export type TailFs = Pick<typeof nodeFs, 'open'>;

/** What one scan found: records newest first, lines that were not records, and what it cost. */
export interface TailScan {
  records: HistoryRecord[];
  skipped: number;
  recordBytes: number;
  scannedBytes: number;
}

/** An empty scan, to start from. */
export const emptyScan = (): TailScan => ({ records: [], skipped: 0, recordBytes: 0, scannedBytes: 0 });

/**
 * Reads `file` from its end, a chunk at a time, adding its newest records (newest first) to
 * `scan` until it holds `limit` records, the byte budgets are spent, or the file's start is
 * reached. Memory stays O(limit × line cap), time O(what is read), whatever the file's size.
 * A missing file adds nothing. Opens without following a symlink and refuses what is not a
 * regular file (a FIFO would block).
 */
export async function scanTail(fs: TailFs, file: string, limit: number, scan: TailScan): Promise<void> {
  let handle;
  try {
    handle = await fs.open(file, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw refusedLink(error, file, 'history file');
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new StateDirError(`refusing the history file ${file}: it is not a regular file`);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    // The bytes after the last newline seen so far, newest chunk last: the line being assembled.
    let partial: Buffer[] = [];
    let partialBytes = 0;
    let overLong = false;
    const full = () => scan.records.length >= limit || scan.recordBytes > MAX_RECORD_BYTES;
    const takeLine = () => {
      if (overLong) scan.skipped += 1;
      else if (partialBytes > 0) {
        const text = Buffer.concat(partial.reverse(), partialBytes).toString('utf8');
        if (text.trim() !== '') {
          const record = parseHistoryLine(text);
          if (record) {
            scan.records.push(record);
            scan.recordBytes += partialBytes;
          } else scan.skipped += 1;
        }
      }
      partial = [];
      partialBytes = 0;
      overLong = false;
    };
    let position = stat.size;
    while (position > 0 && !full() && scan.scannedBytes < MAX_SCAN_BYTES) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      scan.scannedBytes += bytesRead;
      let end = bytesRead;
      for (let i = bytesRead - 1; i >= 0 && !full(); i--) {
        if (chunk[i] !== 0x0a) continue;
        if (!overLong && end > i + 1) partial.push(Buffer.from(chunk.subarray(i + 1, end)));
        partialBytes += end - (i + 1);
        if (partialBytes > MAX_HISTORY_LINE_BYTES) overLong = true;
        takeLine();
        end = i;
      }
      if (full()) break;
      partialBytes += end;
      if (partialBytes > MAX_HISTORY_LINE_BYTES) {
        overLong = true;
        partial = [];
      } else if (end > 0) partial.push(Buffer.from(chunk.subarray(0, end)));
    }
    // The file's first line, once the scan reached the start.
    if (position === 0 && !full()) takeLine();
  } finally {
    await handle.close();
  }
}
