import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileModelStore, openNeuralAdvisor } from '@gov/neural';
import { formatHistoryLine, historyRecordSchema, parseHistory, type HistoryRecord } from '@gov/policies';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fullDiskFs } from '../../../../tools/test-support/full-disk.js';
import { createTally } from '../../../../tools/test-support/tally.js';
import { StateDirError } from './errors.js';
import { createHistoryFile } from './history-file.js';
import { ensureToken } from './token.js';

// The hostile-input suite, state-file part: whatever is in (or in place of) govd's files, reading
// them ends in records or a clear error, never a hang, a crash or a write through a link; and a
// disk that fills up at any byte loses no acknowledged record.

const tally = createTally('state-files');
afterAll(() => tally.report());

let dir: string;
let run = 0;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'gov-hostile-state-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});
const fresh = async () => {
  const path = join(dir, `run-${(run += 1)}`);
  await fs.mkdir(path, { mode: 0o700 });
  return path;
};

const event = (n: number): HistoryRecord => ({ kind: 'event', at: new Date(Date.UTC(2026, 0, 1, 0, 0, n % 60)).toISOString(), event: 'note', message: `record ${n}` });

const line = fc.oneof(
  fc.nat({ max: 59 }).map((n) => formatHistoryLine(event(n))),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => `${JSON.stringify(value)}\n`),
  fc.constantFrom('\n', '\r\n', '\u0000\n', '{"kind":"event","at":"not-a-date","event":"x","message":"y"}\n', `${'{'.repeat(10_000)}\n`, `${'q'.repeat(70_000)}\n`, '\uFEFF{}\n'),
);

describe('hostile history files', () => {
  it('any bytes in history.jsonl and history.jsonl.1', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 15 }), fc.array(line, { maxLength: 15 }), fc.uint8Array({ maxLength: 256 }), fc.integer({ min: 1, max: 40 }), (previous, current, tail, limit) =>
        tally.check('files: history bytes', async () => {
          const state = await fresh();
          const path = join(state, 'history.jsonl');
          await fs.writeFile(`${path}.1`, previous.join(''), { mode: 0o600 });
          await fs.writeFile(path, Buffer.concat([Buffer.from(current.join('')), tail]), { mode: 0o600 });
          const history = createHistoryFile({ path, maxBytes: 1024 * 1024 });
          const read = await history.read(limit);
          expect(read.records.length).toBeLessThanOrEqual(limit);
          for (const record of read.records) expect(historyRecordSchema.safeParse(record).success).toBe(true);
          // An append after any garbage reads back as the newest record.
          await history.append(event(7));
          expect((await history.read(1)).records).toEqual([event(7)]);
          await history.close();
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('appends on a disk that fills up at any byte, and frees space again', async () => {
    const operation = fc.oneof(fc.record({ append: fc.nat({ max: 59 }) }), fc.record({ room: fc.nat({ max: 400 }) }));
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), (operations) =>
        tally.check('files: ENOSPC appends', async () => {
          const path = join(await fresh(), 'history.jsonl');
          const room = { bytes: Number.POSITIVE_INFINITY };
          const history = createHistoryFile({ path, maxBytes: 1024 * 1024, fs: fullDiskFs((file) => file === path, room) });
          const acknowledged: HistoryRecord[] = [];
          for (const step of operations) {
            if ('room' in step) room.bytes = step.room;
            else
              await history.append(event(step.append)).then(
                () => acknowledged.push(event(step.append)),
                (error: unknown) => expect(error).toMatchObject({ name: 'HistoryFileError' }),
              );
          }
          room.bytes = Number.POSITIVE_INFINITY;
          await history.append(event(59));
          acknowledged.push(event(59));
          await history.close();
          // Exactly the acknowledged records, whole, in order: nothing glued, nothing torn.
          const text = await fs.readFile(path, 'utf8');
          expect(parseHistory(text)).toEqual({ records: acknowledged, skipped: 0 });
          expect(text).toBe(acknowledged.map((record) => formatHistoryLine(record)).join(''));
        }),
      ),
      { numRuns: 200 },
    );
  });
});

type Planted = 'file' | 'symlink-to-file' | 'symlink-dangling' | 'symlink-to-dir' | 'fifo' | 'directory' | 'nobody-file' | 'world-writable-file' | 'huge-file';
const planted: Planted[] = ['file', 'symlink-to-file', 'symlink-dangling', 'symlink-to-dir', 'fifo', 'directory', 'nobody-file', 'world-writable-file', 'huge-file'];

/** Puts `kind` where `path` is; returns the file a link points at, to check it is untouched. */
async function plant(path: string, kind: Planted, content: Uint8Array): Promise<string | null> {
  const victim = `${path}.victim`;
  switch (kind) {
    case 'file':
      await fs.writeFile(path, content, { mode: 0o600 });
      return null;
    case 'symlink-to-file':
      await fs.writeFile(victim, 'precious\n');
      await fs.symlink(victim, path);
      return victim;
    case 'symlink-dangling':
      await fs.symlink(victim, path);
      return victim;
    case 'symlink-to-dir':
      await fs.mkdir(victim);
      await fs.symlink(victim, path);
      return null;
    case 'fifo':
      execFileSync('mkfifo', [path]);
      return null;
    case 'directory':
      await fs.mkdir(path);
      return null;
    case 'nobody-file':
      await fs.writeFile(path, content, { mode: 0o600 });
      if (process.getuid?.() === 0) await fs.chown(path, 65534, 65534);
      return null;
    case 'world-writable-file':
      await fs.writeFile(path, content);
      await fs.chmod(path, 0o666);
      return null;
    case 'huge-file':
      await fs.writeFile(path, Buffer.alloc(1024 * 1024, 0x61), { mode: 0o600 });
      return null;
  }
}

describe('hostile state directories', () => {
  it('whatever is where the token should be', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...planted), fc.uint8Array({ maxLength: 200 }), (kind, content) =>
        tally.check('files: token entries', async () => {
          const state = await fresh();
          const victim = await plant(join(state, 'token'), kind, content);
          try {
            const token = await ensureToken(state);
            // Only a plain file of ours with a long enough text is taken.
            expect(['file']).toContain(kind);
            expect(token.length).toBeGreaterThanOrEqual(16);
          } catch (error) {
            expect(error).toBeInstanceOf(StateDirError);
          }
          if (victim && kind === 'symlink-to-file') expect(await fs.readFile(victim, 'utf8')).toBe('precious\n');
          if (victim && kind === 'symlink-dangling') await expect(fs.stat(victim)).rejects.toMatchObject({ code: 'ENOENT' });
        }),
      ),
      { numRuns: 120 },
    );
  });

  it('whatever is where the history should be', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...planted), fc.uint8Array({ maxLength: 200 }), (kind, content) =>
        tally.check('files: history entries', async () => {
          const state = await fresh();
          const path = join(state, 'history.jsonl');
          const victim = await plant(path, kind, content);
          const history = createHistoryFile({ path, maxBytes: 1024 * 1024 });
          const appended = await history.append(event(1)).then(
            () => true,
            (error: unknown) => {
              expect(error).toMatchObject({ name: 'HistoryFileError' });
              return false;
            },
          );
          expect(appended).toBe(kind === 'file' || kind === 'huge-file' || (kind === 'nobody-file' && process.getuid?.() !== 0));
          await history.read(10).catch((error: unknown) => expect(error).toMatchObject({ name: 'HistoryFileError' }));
          await history.close();
          if (victim && kind === 'symlink-to-file') expect(await fs.readFile(victim, 'utf8')).toBe('precious\n');
          if (victim && kind === 'symlink-dangling') await expect(fs.stat(victim)).rejects.toMatchObject({ code: 'ENOENT' });
          if (kind === 'fifo') await (await fs.open(path, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null))?.close();
        }),
      ),
      { numRuns: 120 },
    );
  });

  it('any text as the learned model', async () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)), fc.constantFrom('{"format":"gov-neural-model","version":3}', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, '{"__proto__":{"format":"gov-neural-model"}}'));
    const state = await fresh();
    const path = join(state, 'neural-model.json');
    const store = createFileModelStore({ path, fs });
    let second = 0;
    await fc.assert(
      fc.asyncProperty(text, (model) =>
        tally.check('files: model text', async () => {
          await fs.writeFile(path, model);
          // Each start at a later second: a rejected model is set aside under a name of its own.
          const opened = await openNeuralAdvisor({ store, now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, (second += 1))) });
          expect(opened.loaded.status).toBe('set-aside');
          // However many were rejected, at most three are kept.
          expect((await fs.readdir(state)).filter((name) => name.includes('.rejected-')).length).toBeLessThanOrEqual(3);
        }),
      ),
      { numRuns: 100 },
    );
  });
});
