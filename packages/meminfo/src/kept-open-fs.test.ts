import { Buffer } from 'node:buffer';
import { constants, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKeptOpenFs, type KeptOpenFsCalls } from './kept-open-fs.js';
import { parseMeminfo } from './meminfo.js';
import { createSnapshotSource, readSnapshot } from './snapshot.js';

const signal = new AbortController().signal;

/** A fake file table: `files` may change between reads; every call is logged. */
function fakeCalls(files: Record<string, string>) {
  const log: string[] = [];
  let nextFd = 10;
  const open = new Map<number, string>();
  const broken = new Set<number>();
  const calls: KeptOpenFsCalls = {
    openSync(path) {
      log.push(`open ${path}`);
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      open.set(nextFd, path);
      return nextFd++;
    },
    readSync(fd, buffer, offset, length, position) {
      log.push(`read ${fd} @${position} max ${length}`);
      if (broken.has(fd)) throw Object.assign(new Error('EBADF'), { code: 'EBADF' });
      const bytes = Buffer.from(files[open.get(fd) as string] as string);
      return bytes.copy(buffer, offset, position, position + length);
    },
    closeSync(fd) {
      log.push(`close ${fd}`);
      open.delete(fd);
    },
  };
  return { calls, log, breakFd: (fd: number) => broken.add(fd) };
}

describe('createKeptOpenFs', () => {
  it('opens a file once and re-reads it from the start each time', async () => {
    const files = { '/proc/meminfo': 'MemTotal: 1 kB\n' };
    const { calls, log } = fakeCalls(files);
    const fs = createKeptOpenFs(calls);
    expect(await fs.readFile('/proc/meminfo', { signal })).toBe('MemTotal: 1 kB\n');
    files['/proc/meminfo'] = 'MemTotal: 2 kB\n';
    expect(await fs.readFile('/proc/meminfo', { signal })).toBe('MemTotal: 2 kB\n');
    fs.close();
    expect(log).toEqual(['open /proc/meminfo', 'read 10 @0 max 16384', 'read 10 @0 max 16384', 'close 10']);
  });

  it('grows its buffer for a file longer than it and returns the whole text', async () => {
    const long = 'x'.repeat(40_000);
    const { calls, log } = fakeCalls({ '/proc/vmstat': long });
    const fs = createKeptOpenFs(calls);
    expect(await fs.readFile('/proc/vmstat', { signal })).toBe(long);
    expect(log).toEqual(['open /proc/vmstat', 'read 10 @0 max 16384', 'read 10 @0 max 32768', 'read 10 @0 max 65536']);
  });

  it('reopens a descriptor that stopped working, once', async () => {
    const { calls, log, breakFd } = fakeCalls({ '/proc/meminfo': 'a' });
    const fs = createKeptOpenFs(calls);
    await fs.readFile('/proc/meminfo', { signal });
    breakFd(10);
    expect(await fs.readFile('/proc/meminfo', { signal })).toBe('a');
    expect(log).toEqual(['open /proc/meminfo', 'read 10 @0 max 16384', 'read 10 @0 max 16384', 'close 10', 'open /proc/meminfo', 'read 11 @0 max 16384']);
  });

  it('rejects with the ENOENT of a file that does not exist', async () => {
    const fs = createKeptOpenFs(fakeCalls({}).calls);
    await expect(fs.readFile('/proc/pressure/memory', { signal })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads the real /proc/meminfo as readFileSync does', async () => {
    const fs = createKeptOpenFs();
    try {
      const kept = parseMeminfo(await fs.readFile('/proc/meminfo', { signal }));
      const fresh = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
      expect(Object.keys(kept)).toEqual(Object.keys(fresh));
      expect(kept['MemTotal']).toBe(fresh['MemTotal']);
    } finally {
      fs.close();
    }
  });
});

describe('createSnapshotSource on the real /proc', () => {
  it('reads the same snapshot twice through its kept-open files, and closes them', async () => {
    const source = createSnapshotSource({ environment: 'linux' });
    try {
      const first = await source.readSnapshot();
      const second = await source.readSnapshot();
      expect(first.degraded).toEqual(second.degraded);
      expect(second.linux?.total).toBe(first.linux?.total);
      expect(second.vmstat).not.toBeNull();
    } finally {
      source.close();
    }
  });
});

describe('kernel files that are not regular files', () => {
  it('refuses a FIFO put in place of a /proc file at once, through the kept-open files and the ordinary reads', async () => {
    const { mkdtemp, mkdir, writeFile, rm, open } = await import('node:fs/promises');
    const { execFileSync } = await import('node:child_process');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = await mkdtemp(join(tmpdir(), 'gov-proc-'));
    try {
      await writeFile(join(root, 'meminfo'), readFileSync('/proc/meminfo', 'utf8'));
      await writeFile(join(root, 'vmstat'), readFileSync('/proc/vmstat', 'utf8'));
      await writeFile(join(root, 'stat'), readFileSync('/proc/stat', 'utf8'));
      await mkdir(join(root, 'pressure'));
      const fifo = join(root, 'pressure', 'memory');
      execFileSync('mkfifo', [fifo]);
      const refused = { source: 'pressure', code: 'GOV_MEMINFO_READ_FAILED', message: `cannot read ${fifo}: ${fifo} is not a regular file (a FIFO or a device in place of a kernel file); refused` };
      // The ordinary reads (through the thread pool, under a deadline).
      const once = await readSnapshot({ procRoot: root, environment: 'linux', timeoutMs: 5000 });
      expect([once.pressure, once.degraded]).toEqual([null, [refused]]);
      expect(once.linux).not.toBeNull();
      // The kept-open files (synchronous reads on the event loop).
      const source = createSnapshotSource({ procRoot: root, environment: 'linux' });
      try {
        const kept = await source.readSnapshot();
        expect([kept.pressure, kept.degraded]).toEqual([null, [refused]]);
      } finally {
        source.close();
      }
    } finally {
      // A reader a regression left blocked on the FIFO is let go.
      await (await open(join(root, 'pressure', 'memory'), constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null))?.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses a regular file longer than any kernel file', async () => {
    const long = 'x'.repeat(5 * 1024 * 1024);
    const fs = createKeptOpenFs(fakeCalls({ '/proc/meminfo': long }).calls);
    await expect(fs.readFile('/proc/meminfo', { signal })).rejects.toThrow('/proc/meminfo is longer than 4194304 bytes, no kernel file is; refused');
  });
});
