import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKeptOpenFs, type KeptOpenFsCalls } from './kept-open-fs.js';
import { parseMeminfo } from './meminfo.js';
import { createSnapshotSource } from './snapshot.js';

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
