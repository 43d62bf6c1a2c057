import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readSync } from 'node:fs';
import { MeminfoSourceError } from './errors.js';

/** The file reads the sources need; the default wraps `node:fs`. */
export interface MeminfoFs {
  readFile(path: string, options: { signal: AbortSignal }): Promise<string>;
}

/**
 * How a kernel file (`/proc`, cgroupfs) is opened: never blocking, so a FIFO put in its place
 * (a bind mount over `/proc/pressure/memory`) is found out at once instead of hanging the open.
 */
const KERNEL_FILE_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
/** The most of a kernel file that is read: `/proc/stat` of a 1 000-CPU machine is a few hundred KiB. */
export const MAX_KERNEL_FILE_BYTES = 4 * 1024 * 1024;
const FIRST_READ_BYTES = 16 * 1024;

/** What a kernel file read fails with when the path is no regular file, or too long to be one. */
function notAKernelFile(path: string, why: string): Error {
  return new Error(`${path} ${why}; refused`);
}

const notRegular = (path: string) => notAKernelFile(path, 'is not a regular file (a FIFO or a device in place of a kernel file)');
const tooLong = (path: string) => notAKernelFile(path, `is longer than ${MAX_KERNEL_FILE_BYTES} bytes, no kernel file is`);

/**
 * Opens a kernel file to read from offset 0 again and again: without blocking, and only when it
 * is a regular file (as every procfs and cgroupfs file is). The caller closes the descriptor.
 */
export function openKernelFileSync(path: string): number {
  const fd = openSync(path, KERNEL_FILE_FLAGS);
  let regular = false;
  try {
    regular = fstatSync(fd).isFile();
  } finally {
    if (!regular) closeSync(fd);
  }
  if (!regular) throw notRegular(path);
  return fd;
}

/** Reads an open kernel file from offset 0 (`readFromStart`), whole, growing `buffer` as needed up to `MAX_KERNEL_FILE_BYTES`. */
export function readKernelFdSync(fd: number, path: string, buffer: { bytes: Buffer }, readFromStart: (fd: number, target: Buffer) => number = (descriptor, target) => readSync(descriptor, target, 0, target.length, 0)): string {
  for (;;) {
    const length = readFromStart(fd, buffer.bytes);
    // A full buffer may mean a longer file: grow and read again from the start.
    if (length < buffer.bytes.length) return buffer.bytes.toString('utf8', 0, length);
    if (buffer.bytes.length >= MAX_KERNEL_FILE_BYTES) throw tooLong(path);
    buffer.bytes = Buffer.allocUnsafe(Math.min(buffer.bytes.length * 2, MAX_KERNEL_FILE_BYTES));
  }
}

/** Reads a kernel file whole, synchronously: for files the kernel builds from memory, cheaper than any thread-pool round trip. */
export function readKernelFileSync(path: string): string {
  const fd = openKernelFileSync(path);
  try {
    return readKernelFdSync(fd, path, { bytes: Buffer.allocUnsafe(FIRST_READ_BYTES) });
  } finally {
    closeSync(fd);
  }
}

/** The same read through the thread pool, so that a deadline can give up on it. */
function readKernelFile(path: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (fd: number | null, error: Error) => (fd === null ? reject(error) : close(fd, () => reject(error)));
    open(path, KERNEL_FILE_FLAGS, (openError, fd) => {
      if (openError) return reject(openError);
      fstat(fd, (statError, stat) => {
        if (statError) return fail(fd, statError);
        if (!stat.isFile()) return fail(fd, notRegular(path));
        const chunks: Buffer[] = [];
        let total = 0;
        const next = () => {
          if (signal.aborted) return fail(fd, signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          const chunk = Buffer.allocUnsafe(FIRST_READ_BYTES);
          read(fd, chunk, 0, chunk.length, total, (readError, bytesRead) => {
            if (readError) return fail(fd, readError);
            if (bytesRead === 0) return close(fd, () => resolve(Buffer.concat(chunks, total).toString('utf8')));
            chunks.push(chunk.subarray(0, bytesRead));
            total += bytesRead;
            if (total > MAX_KERNEL_FILE_BYTES) return fail(fd, tooLong(path));
            next();
          });
        };
        next();
      });
    });
  });
}

// The callback form: for small /proc files it costs markedly less than `fs/promises`, whose
// FileHandle round-trips dominate a read that the kernel answers in microseconds.
export const nodeFs: MeminfoFs = { readFile: (path, options) => readKernelFile(path, options.signal) };

/** What a source rejects with at its deadline: `GOV_MEMINFO_TIMEOUT`. */
export function sourceTimeout(source: string, what: string, timeoutMs: number): MeminfoSourceError {
  return new MeminfoSourceError(`${what} did not answer within ${timeoutMs} ms`, { code: 'GOV_MEMINFO_TIMEOUT', source });
}

/** Whether an error from `fs` means the file does not exist (as opposed to unreadable). */
export function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads one text file; any failure becomes a `GOV_MEMINFO_READ_FAILED` naming the path. */
export async function readText(fs: MeminfoFs, path: string, source: string, signal: AbortSignal): Promise<string> {
  try {
    return await fs.readFile(path, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new MeminfoSourceError(`cannot read ${path}: ${reason}`, { code: 'GOV_MEMINFO_READ_FAILED', source, cause: error });
  }
}
