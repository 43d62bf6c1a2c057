import { Buffer } from 'node:buffer';
import { closeSync, readSync } from 'node:fs';
import { openKernelFileSync, readKernelFdSync, type MeminfoFs } from './io.js';

/** A `MeminfoFs` that holds its files open; `close()` releases them. */
export interface KeptOpenFs extends MeminfoFs {
  /** The same read, answered synchronously: `readSnapshot` then reads with no promise or timer per file. */
  readFileSync(path: string): string;
  close(): void;
}

/** The `node:fs` calls it needs, injectable for tests. */
export interface KeptOpenFsCalls {
  /** Opens a kernel file for reading: without blocking, refusing what is not a regular file (`openKernelFileSync`). */
  openSync(path: string): number;
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

const nodeCalls: KeptOpenFsCalls = { openSync: openKernelFileSync, readSync, closeSync };

/**
 * Reads `/proc` files through descriptors it opens once and re-reads from offset 0, as procps
 * does for `free` and `top`: a tick then costs one `pread` per file instead of open, fstat, read
 * and close on the thread pool. The kernel builds these files in memory, so the synchronous
 * read never waits on a disk; the open never blocks and refuses what is not a regular file (a
 * FIFO bound over a /proc file would otherwise hang the whole process), and a read stops at
 * `MAX_KERNEL_FILE_BYTES`. A descriptor that stops working is reopened once.
 */
export function createKeptOpenFs(calls: KeptOpenFsCalls = nodeCalls): KeptOpenFs {
  const fds = new Map<string, number>();
  const buffer = { bytes: Buffer.allocUnsafe(16 * 1024) };
  const readFromStart = (fd: number, target: Buffer) => calls.readSync(fd, target, 0, target.length, 0);

  function fdOf(path: string): number {
    let fd = fds.get(path);
    if (fd === undefined) {
      fd = calls.openSync(path);
      fds.set(path, fd);
    }
    return fd;
  }

  const readWhole = (path: string) => readKernelFdSync(fdOf(path), path, buffer, readFromStart);

  function forget(path: string): void {
    const fd = fds.get(path);
    if (fd === undefined) return;
    fds.delete(path);
    try {
      calls.closeSync(fd);
    } catch {
      // already unusable; nothing left to release
    }
  }

  function readFileSync(path: string): string {
    try {
      return readWhole(path);
    } catch {
      forget(path);
      return readWhole(path);
    }
  }

  return {
    readFileSync,
    readFile: async (path) => readFileSync(path),
    close() {
      for (const path of [...fds.keys()]) forget(path);
    },
  };
}
