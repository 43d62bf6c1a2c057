import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHistoryLine, type HistoryRecord } from '@gov/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHistoryFile, type HistoryFs } from './history-file.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'govd-history-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const event = (n: number): HistoryRecord => ({ kind: 'event', at: `2026-01-28T10:00:${String(n % 60).padStart(2, '0')}.000Z`, event: 'started', message: `record ${n}` });
const lineBytes = Buffer.byteLength(formatHistoryLine(event(1)));

/** `node:fs/promises` with every call on the history file's handles written to `calls`. */
function recordingFs(calls: string[]): HistoryFs {
  return {
    ...fs,
    async open(path, flags, mode) {
      const handle = await fs.open(path, flags, mode);
      const name = path.toString().endsWith('history.jsonl') ? 'history' : 'dir';
      calls.push(`open ${name} ${String(flags)}`);
      return new Proxy(handle, {
        get(target, property) {
          const value = Reflect.get(target, property, target) as unknown;
          if (typeof value !== 'function' || !['write', 'sync', 'close', 'read'].includes(String(property))) return typeof value === 'function' ? value.bind(target) : value;
          return (...args: unknown[]) => {
            calls.push(`${String(property)} ${name}`);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
    async rename(from, to) {
      calls.push(`rename ${String(from).slice(dir.length + 1)} → ${String(to).slice(dir.length + 1)}`);
      return fs.rename(from, to);
    },
  };
}

describe('createHistoryFile', () => {
  it('appends one JSON line per record and reads them back in order', async () => {
    const history = createHistoryFile({ path: join(dir, 'history.jsonl'), maxBytes: 1024 * 1024 });
    await history.append(event(1));
    await history.append(event(2));
    expect(await fs.readFile(join(dir, 'history.jsonl'), 'utf8')).toBe(formatHistoryLine(event(1)) + formatHistoryLine(event(2)));
    expect(await history.read()).toEqual({ records: [event(1), event(2)], skipped: 0 });
    expect(await history.read(1)).toEqual({ records: [event(2)], skipped: 0 });
    await history.close();
  });

  it('creates the file 0600 in a new state directory', async () => {
    const history = createHistoryFile({ path: join(dir, 'state', 'history.jsonl'), maxBytes: 1024 });
    await history.append(event(1));
    expect((await fs.stat(join(dir, 'state', 'history.jsonl'))).mode & 0o777).toBe(0o600);
    await history.close();
  });

  it('reads an absent file as empty', async () => {
    expect(await createHistoryFile({ path: join(dir, 'history.jsonl'), maxBytes: 1024 }).read()).toEqual({ records: [], skipped: 0 });
  });

  it('fsyncs after every write, before the append resolves', async () => {
    const calls: string[] = [];
    const history = createHistoryFile({ path: join(dir, 'history.jsonl'), maxBytes: 1024 * 1024, fs: recordingFs(calls) });
    await history.append(event(1));
    expect(calls).toEqual(['open history a+', 'open dir r', 'sync dir', 'close dir', 'write history', 'sync history']);
    calls.length = 0;
    await history.append(event(2));
    expect(calls).toEqual(['write history', 'sync history']);
    calls.length = 0;
    await history.close();
    expect(calls).toEqual(['close history']);
  });

  it('rotates before an append would pass maxBytes, keeping one previous file', async () => {
    const calls: string[] = [];
    const path = join(dir, 'history.jsonl');
    const history = createHistoryFile({ path, maxBytes: lineBytes * 3, fs: recordingFs(calls) });
    for (let n = 1; n <= 7; n++) await history.append(event(n));
    expect(calls.filter((call) => call.startsWith('rename'))).toEqual(['rename history.jsonl → history.jsonl.1', 'rename history.jsonl → history.jsonl.1']);
    expect(await fs.readFile(`${path}.1`, 'utf8')).toBe([4, 5, 6].map((n) => formatHistoryLine(event(n))).join(''));
    expect(await fs.readFile(path, 'utf8')).toBe(formatHistoryLine(event(7)));
    expect(await history.read()).toEqual({ records: [4, 5, 6, 7].map(event), skipped: 0 });
    expect(await history.read(2)).toEqual({ records: [6, 7].map(event), skipped: 0 });
    await history.close();
  });

  it('skips a torn last line on read, and starts the next record on a line of its own', async () => {
    const path = join(dir, 'history.jsonl');
    const torn = formatHistoryLine(event(2)).slice(0, 30);
    await fs.writeFile(path, formatHistoryLine(event(1)) + torn);
    const history = createHistoryFile({ path, maxBytes: 1024 * 1024 });
    expect(await history.read()).toEqual({ records: [event(1)], skipped: 1 });
    await history.append(event(3));
    expect(await fs.readFile(path, 'utf8')).toBe(`${formatHistoryLine(event(1))}${torn}\n${formatHistoryLine(event(3))}`);
    expect(await history.read()).toEqual({ records: [event(1), event(3)], skipped: 1 });
    await history.close();
  });

  it('never interleaves concurrent appends', async () => {
    const path = join(dir, 'history.jsonl');
    const history = createHistoryFile({ path, maxBytes: 1024 * 1024 });
    const records = Array.from({ length: 40 }, (_, n) => event(n));
    await Promise.all(records.map((record) => history.append(record)));
    expect(await fs.readFile(path, 'utf8')).toBe(records.map((record) => formatHistoryLine(record)).join(''));
    await history.close();
  });

  it('reports a failed append as a HistoryFileError and keeps appending afterwards', async () => {
    const path = join(dir, 'history.jsonl');
    let failNext = true;
    const history = createHistoryFile({
      path,
      maxBytes: 1024 * 1024,
      fs: {
        ...fs,
        async open(...args: Parameters<typeof fs.open>) {
          if (failNext) {
            failNext = false;
            throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
          }
          return fs.open(...args);
        },
      },
    });
    await expect(history.append(event(1))).rejects.toMatchObject({ name: 'HistoryFileError', code: 'GOV_DAEMON_HISTORY', message: `cannot append to the history file ${path}: EACCES: permission denied` });
    await history.append(event(2));
    expect(await history.read()).toEqual({ records: [event(2)], skipped: 0 });
    await history.close();
  });
});

describe('createHistoryFile, for any records and rotation size', () => {
  it('reads back exactly the newest records that fit in the current and the previous file, in order', async () => {
    const fc = await import('fast-check');
    const message = fc.string({ unit: 'grapheme', maxLength: 80 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 2000 }), async (messages, maxBytes) => {
        const path = join(dir, `run-${(run += 1)}`, 'history.jsonl');
        const history = createHistoryFile({ path, maxBytes });
        const records: HistoryRecord[] = messages.map((text, n) => ({ kind: 'event', at: `2026-01-28T10:00:00.${String(n).padStart(3, '0')}Z`, event: 'note', message: text }));
        for (const record of records) await history.append(record);
        await history.close();
        const read = await history.read();
        expect(read.skipped).toBe(0);
        // What survives is a suffix: everything since the start of the previous file.
        expect(read.records).toEqual(records.slice(records.length - read.records.length));
        // The current file never passes maxBytes unless it holds a single record.
        const current = await fs.readFile(path, 'utf8');
        const lines = current.split('\n').length - 1;
        expect(Buffer.byteLength(current) <= maxBytes || lines === 1).toBe(true);
        // Without a reason to rotate, nothing is lost.
        const totalBytes = records.reduce((sum, record) => sum + Buffer.byteLength(formatHistoryLine(record)), 0);
        if (totalBytes <= maxBytes) expect(read.records).toEqual(records);
        // Rotation keeps the previous file whole: together they hold at least the current file's records.
        expect(read.records.length).toBeGreaterThanOrEqual(lines);
      }),
      { numRuns: 60 },
    );
    // Every append is fsync'd: sixty runs of them take seconds on a busy disk.
  }, 60_000);
});
