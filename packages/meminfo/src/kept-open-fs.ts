import { Buffer } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import type { MeminfoFs } from './io.js';

/** A `MeminfoFs` that holds its files open; `close()` releases them. */
export interface KeptOpenFs extends MeminfoFs {
  /** The same read, answered synchronously: `readSnapshot` then reads with no promise or timer per file. */
  readFileSync(path: string): string;
  close(): void;
}

/** The `node:fs` calls it needs, injectable for tests. */
export interface KeptOpenFsCalls {
  openSync(path: string, flags: 'r'): number;
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

const nodeCalls: KeptOpenFsCalls = { openSync, readSync, closeSync };

/**
 * Reads `/proc` files through descriptors it opens once and re-reads from offset 0, as procps
 * does for `free` and `top`: a tick then costs one `pread` per file instead of open, fstat, read
 * and close on the thread pool. The kernel builds these files in memory, so the synchronous
 * read never waits on a disk. A descriptor that stops working is reopened once.
 */
export function createKeptOpenFs(calls: KeptOpenFsCalls = nodeCalls): KeptOpenFs {
  const fds = new Map<string, number>();
  let buffer = Buffer.allocUnsafe(16 * 1024);

  function fdOf(path: string): number {
    let fd = fds.get(path);
    if (fd === undefined) {
      fd = calls.openSync(path, 'r');
      fds.set(path, fd);
    }
    return fd;
  }

  function readWhole(fd: number): string {
    for (;;) {
      const length = calls.readSync(fd, buffer, 0, buffer.length, 0);
      // A full buffer may mean a longer file: grow and read again from the start.
      if (length < buffer.length) return buffer.toString('utf8', 0, length);
      buffer = Buffer.allocUnsafe(buffer.length * 2);
    }
  }

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
      return readWhole(fdOf(path));
    } catch {
      forget(path);
      return readWhole(fdOf(path));
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
