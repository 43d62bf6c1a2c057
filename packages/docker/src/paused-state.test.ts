import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPausedStateStore, formatPausedState, nodeStateFs, parsePausedState, type PausedRecord, type StateFs } from './paused-state.js';

const A: PausedRecord = { id: 'a'.repeat(64), name: 'web', pausedAt: '2026-11-22T02:00:00.000Z', freedBytes: 1024 };
const B: PausedRecord = { id: 'b'.repeat(64), name: 'db', pausedAt: '2026-11-22T02:01:00.000Z', freedBytes: 0 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-docker-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createPausedStateStore', () => {
  it('reads nothing from a missing file and creates the directory on the first write', async () => {
    const store = createPausedStateStore({ file: join(dir, 'nested', 'docker-paused.json') });
    expect(await store.read()).toEqual([]);
    expect(await store.update((records) => [...records, A])).toEqual([A]);
    expect(await readFile(store.file, 'utf8')).toBe(formatPausedState([A]));
    expect(await readdir(join(dir, 'nested'))).toEqual(['docker-paused.json']);
  });

  it('writes the file durably: fsync\'d before it replaces the old one, private to its owner', async () => {
    const file = join(dir, 'gov', 'docker-paused.json');
    const synced: string[] = [];
    const fs: StateFs = {
      ...nodeStateFs,
      open: async (path, flags, mode) => {
        const handle = await nodeStateFs.open(path, flags, mode);
        return { writeFile: (data) => handle.writeFile(data), chmod: (bits) => handle.chmod(bits), close: () => handle.close(), sync: async () => (synced.push(flags), handle.sync()) };
      },
    };
    await createPausedStateStore({ file, fs }).update(() => [A]);
    expect(synced).toEqual(['wx', 'r']);
    expect([(await stat(file)).mode & 0o777, (await stat(join(dir, 'gov'))).mode & 0o777]).toEqual([0o600, 0o700]);
  });

  it('serialises concurrent updates so none is lost', async () => {
    const store = createPausedStateStore({ file: join(dir, 'state.json') });
    await Promise.all([store.update((r) => [...r, A]), store.update((r) => [...r, B])]);
    expect(await store.read()).toEqual([A, B]);
  });

  it('leaves the old file whole and no temporary file behind when the rename fails', async () => {
    const file = join(dir, 'state.json');
    await writeFile(file, formatPausedState([A]));
    const store = createPausedStateStore({ file, fs: { ...nodeStateFs, rename: async () => Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' })) } });
    await expect(store.update((r) => [...r, B])).rejects.toMatchObject({ code: 'GOV_DOCKER_STATE', message: `cannot write ${file}: ENOSPC` });
    expect(await readFile(file, 'utf8')).toBe(formatPausedState([A]));
    expect(await readdir(dir)).toEqual(['state.json']);
    // A failed update does not block the next one.
    await expect(store.update((r) => r.slice(1))).rejects.toMatchObject({ code: 'GOV_DOCKER_STATE' });
  });

  it('reports a file that is not the state file', async () => {
    const file = join(dir, 'state.json');
    await writeFile(file, '{"containers": 3}');
    await expect(createPausedStateStore({ file }).read()).rejects.toMatchObject({ name: 'DockerError', code: 'GOV_DOCKER_STATE', message: `${file} has no "containers" list` });
  });
});

describe('parsePausedState', () => {
  it('drops entries that cannot be resumed and repairs bad numbers', () => {
    const text = JSON.stringify({ version: 1, containers: [A, { id: '../x', name: 'evil' }, { name: 'no-id' }, null, { id: B.id, name: 'db', freedBytes: -5 }] });
    expect(parsePausedState(text)).toEqual([A, { id: B.id, name: 'db', pausedAt: '', freedBytes: 0 }]);
  });

  it('reads back what it writes (property)', () => {
    const record = fc.record({
      id: fc.stringMatching(/^[0-9a-f]{64}$/),
      name: fc.string(),
      pausedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      freedBytes: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (records) => {
        expect(parsePausedState(formatPausedState(records))).toEqual(records);
      }),
    );
  });

  it('turns any text into records or a GOV_DOCKER_STATE error (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          expect(Array.isArray(parsePausedState(text))).toBe(true);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('GOV_DOCKER_STATE');
        }
      }),
    );
  });
});
