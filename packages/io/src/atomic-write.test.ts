import * as nodeFs from 'node:fs/promises';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AtomicWriteFs } from './atomic-write.js';
import { syncDirectory, writeFileAtomic } from './node-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-io-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

/** `node:fs/promises` that logs every call (temporary names shortened to `<tmp>`); `fail` makes one call throw. */
function recordingFs(fail?: { call: string; errno: string }) {
  const calls: string[] = [];
  const short = (path: string) => path.replace(dir, '<dir>').replace(/\.[0-9a-f]{12}\.tmp$/, '.<tmp>');
  const check = (call: string) => {
    calls.push(call);
    if (fail !== undefined && fail.call === call.split(' ')[0]) throw Object.assign(new Error(`${fail.errno}: refused`), { code: fail.errno });
  };
  const fs: AtomicWriteFs = {
    async open(path, flags, fileMode) {
      check(`open ${short(path)} ${flags}${fileMode === undefined ? '' : ` ${fileMode.toString(8)}`}`);
      const handle = await nodeFs.open(path, flags, fileMode);
      return {
        writeFile: async (data) => (check(`write ${short(path)}`), handle.writeFile(data)),
        chmod: async (bits) => (check(`chmod ${short(path)} ${bits.toString(8)}`), handle.chmod(bits)),
        sync: async () => (check(`sync ${short(path)}`), handle.sync()),
        close: async () => (calls.push(`close ${short(path)}`), handle.close()),
      };
    },
    stat: async (path) => (check(`stat ${short(path)}`), nodeFs.stat(path)),
    mkdir: async (path, options) => (check(`mkdir ${short(path)}`), nodeFs.mkdir(path, options)),
    rename: async (from, to) => (check(`rename ${short(from)} ${short(to)}`), nodeFs.rename(from, to)),
    unlink: async (path) => (calls.push(`unlink ${short(path)}`), nodeFs.unlink(path)),
  };
  return { fs, calls };
}

describe('writeFileAtomic', () => {
  it('writes a temporary file beside the target, fsyncs it, renames it over, then fsyncs the directory', async () => {
    const target = join(dir, 'state', 'model.json');
    const { fs, calls } = recordingFs();
    await writeFileAtomic(target, '{"v":1}\n', { fs, mode: 0o600, dirMode: 0o700 });
    expect(calls).toEqual([
      'mkdir <dir>/state',
      'stat <dir>/state/model.json',
      'open <dir>/state/.model.json.<tmp> wx 600',
      'write <dir>/state/.model.json.<tmp>',
      'sync <dir>/state/.model.json.<tmp>',
      'close <dir>/state/.model.json.<tmp>',
      'rename <dir>/state/.model.json.<tmp> <dir>/state/model.json',
      'open <dir>/state r',
      'sync <dir>/state',
      'close <dir>/state',
    ]);
    expect(await readFile(target, 'utf8')).toBe('{"v":1}\n');
    expect([await mode(target), await mode(join(dir, 'state'))]).toEqual([0o600, 0o700]);
    expect(await readdir(join(dir, 'state'))).toEqual(['model.json']);
  });

  it('keeps the permission bits of the file it replaces, exactly', async () => {
    const target = join(dir, 'config.toml');
    await writeFile(target, 'old');
    await chmod(target, 0o664);
    const { fs, calls } = recordingFs();
    await writeFileAtomic(target, 'new', { fs, mode: 0o600 });
    expect(calls.filter((call) => call.startsWith('chmod'))).toEqual(['chmod <dir>/.config.toml.<tmp> 664']);
    expect([await readFile(target, 'utf8'), await mode(target)]).toEqual(['new', 0o664]);
  });

  it.each(['write', 'sync', 'rename'])('leaves the old file whole and no temporary file behind when %s fails', async (call) => {
    const target = join(dir, 'state.json');
    await writeFile(target, 'old');
    const { fs, calls } = recordingFs({ call, errno: 'ENOSPC' });
    await expect(writeFileAtomic(target, 'new', { fs })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(calls.at(-1)).toBe('unlink <dir>/.state.json.<tmp>');
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('succeeds where the directory cannot be fsync\'d', async () => {
    const target = join(dir, 'a.json');
    const { fs } = recordingFs();
    const noDirectorySync: AtomicWriteFs = { ...fs, open: (path, flags, fileMode) => (flags === 'r' ? Promise.reject(Object.assign(new Error('EISDIR'), { code: 'EISDIR' })) : fs.open(path, flags, fileMode)) };
    await writeFileAtomic(target, 'x', { fs: noDirectorySync });
    expect(await readFile(target, 'utf8')).toBe('x');
  });

  it('refuses to write under a path that is a file, with the system error', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(writeFileAtomic(join(dir, 'file', 'model.json'), '{}')).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('writes bytes', async () => {
    const target = join(dir, 'bytes.bin');
    await writeFileAtomic(target, new Uint8Array([0, 255, 10]));
    expect([...(await readFile(target))]).toEqual([0, 255, 10]);
  });

  it('puts the temporary file of a bare file name in the working directory', async () => {
    const paths: string[] = [];
    const handle = { writeFile: async () => {}, chmod: async () => {}, sync: async () => {}, close: async () => {} };
    const fs: AtomicWriteFs = {
      open: async (path) => (paths.push(path), handle),
      stat: async () => Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' })),
      mkdir: async (path) => (paths.push(path), undefined),
      rename: async (from, to) => void paths.push(`${from} -> ${to}`),
      unlink: async () => {},
    };
    await writeFileAtomic('bare.txt', 'here', { fs });
    expect(paths.map((path) => path.replace(/\.[0-9a-f]{12}\.tmp/, '.<tmp>'))).toEqual(['.', '.bare.txt.<tmp>', '.bare.txt.<tmp> -> bare.txt', '.']);
  });

  it('leaves one whole version when writers race', async () => {
    const target = join(dir, 'race.txt');
    const versions = Array.from({ length: 8 }, (_, index) => `${String(index).repeat(64 * 1024)}\n`);
    await Promise.all(versions.map((text) => writeFileAtomic(target, text)));
    expect(versions).toContain(await readFile(target, 'utf8'));
    expect(await readdir(dir)).toEqual(['race.txt']);
  });
});

describe('syncDirectory', () => {
  it('opens the directory, fsyncs and closes it', async () => {
    const { fs, calls } = recordingFs();
    await syncDirectory(dir, { fs });
    expect(calls).toEqual(['open <dir> r', 'sync <dir>', 'close <dir>']);
  });

  it('never throws: a directory that cannot be fsync\'d only weakens durability', async () => {
    const { fs, calls } = recordingFs({ call: 'sync', errno: 'EINVAL' });
    await expect(syncDirectory(dir, { fs })).resolves.toBeUndefined();
    expect(calls).toEqual(['open <dir> r', 'sync <dir>', 'close <dir>']);
    await expect(syncDirectory(join(dir, 'missing'))).resolves.toBeUndefined();
  });
});
