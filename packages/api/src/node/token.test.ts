import { chmod, chown, lchown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateDirError } from './errors.js';
import { ensureToken, guardToken, isAuthorized, readToken } from './token.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govd-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureToken', () => {
  it('creates the state directory and a 0600 token at first start, and reads the same token after', async () => {
    const stateDir = join(dir, 'state', 'gov');
    const token = await ensureToken(stateDir, { randomBytes: (size) => Buffer.alloc(size, 0xab) });
    expect(token).toBe('ab'.repeat(32));
    expect((await stat(join(stateDir, 'token'))).mode & 0o777).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(stateDir, 'token'), 'utf8')).toBe(`${'ab'.repeat(32)}\n`);
    expect(await ensureToken(stateDir, { randomBytes: (size) => Buffer.alloc(size, 0xcd) })).toBe('ab'.repeat(32));
  });

  it('tightens a token file others can read to 0600', async () => {
    await writeFile(join(dir, 'token'), 'f'.repeat(64));
    await chmod(join(dir, 'token'), 0o644);
    expect(await ensureToken(dir)).toBe('f'.repeat(64));
    expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a token file too short to be a secret', async () => {
    await writeFile(join(dir, 'token'), 'abc\n', { mode: 0o600 });
    await expect(ensureToken(dir)).rejects.toMatchObject({ name: 'StateDirError', code: 'GOV_DAEMON_STATE_DIR', message: `cannot read the API token ${join(dir, 'token')}: the file holds fewer than 16 characters` });
  });
});

describe('ensureToken refuses a state directory it cannot trust', () => {
  const NOBODY = 65534;
  const asRoot = process.getuid?.() === 0;

  it.runIf(asRoot)("refuses a token another user planted, and the other user's state directory", async () => {
    const stateDir = join(dir, 'state');
    await mkdir(stateDir, { mode: 0o700 });
    await writeFile(join(stateDir, 'token'), 'known-to-the-attacker-0123456789\n', { mode: 0o600 });
    await chown(join(stateDir, 'token'), NOBODY, NOBODY);
    await expect(ensureToken(stateDir)).rejects.toEqual(new StateDirError(`refusing the API token ${join(stateDir, 'token')}: it is owned by uid ${NOBODY} (mode 0600); it must be owned by uid 0, the user govd runs as`));
    await chown(stateDir, NOBODY, NOBODY);
    await expect(ensureToken(stateDir)).rejects.toEqual(new StateDirError(`refusing the state directory ${stateDir}: it is owned by uid ${NOBODY} (mode 0700); it must be owned by uid 0, the user govd runs as`));
  });

  it('refuses a state directory others may write, or one in a parent anyone may replace it in', async () => {
    const stateDir = join(dir, 'state');
    await mkdir(stateDir);
    await chmod(stateDir, 0o777);
    await expect(ensureToken(stateDir)).rejects.toMatchObject({ name: 'StateDirError', message: `refusing the state directory ${stateDir}: it is writable by others (mode 0777); it must be writable by its owner only (chmod go-w)` });
    await chmod(stateDir, 0o700);
    await chmod(dir, 0o777);
    await expect(ensureToken(stateDir)).rejects.toMatchObject({ message: `refusing the state directory ${stateDir}: its parent ${dir} is writable by others without the sticky bit (mode 0777), so anyone could replace it` });
    await chmod(dir, 0o1777);
    expect(await ensureToken(stateDir, { randomBytes: (size) => Buffer.alloc(size, 1) })).toBe('01'.repeat(32));
  });

  it('never follows a token that is a symlink, and never writes through one', async () => {
    const victim = join(dir, 'victim');
    await writeFile(victim, 'precious-but-long-enough\n');
    await symlink(victim, join(dir, 'token'));
    await expect(ensureToken(dir)).rejects.toEqual(new StateDirError(`refusing the API token ${join(dir, 'token')}: it is a symlink; govd never follows one in its state directory`));
    expect(await readFile(victim, 'utf8')).toBe('precious-but-long-enough\n');
    // A dangling symlink is not followed to create a file either.
    await rm(join(dir, 'token'));
    await symlink(join(dir, 'created-through-the-link'), join(dir, 'token'));
    await expect(ensureToken(dir)).rejects.toMatchObject({ name: 'StateDirError' });
    await expect(stat(join(dir, 'created-through-the-link'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.runIf(asRoot)('refuses a state directory reached through a symlink another user owns', async () => {
    await mkdir(join(dir, 'real'), { mode: 0o700 });
    await symlink(join(dir, 'real'), join(dir, 'link'));
    await lchown(join(dir, 'link'), NOBODY, NOBODY);
    await expect(ensureToken(join(dir, 'link'))).rejects.toMatchObject({ message: `refusing the state directory ${join(dir, 'link')}: it is a symlink owned by uid ${NOBODY}; it must be a directory, or a symlink owned by uid 0 or root` });
  });
});

describe('guardToken', () => {
  it('tightens a token made readable by others at run time, and reports one replaced', async () => {
    await ensureToken(dir);
    expect(await guardToken(dir)).toEqual({ tightened: false, problem: null });
    await chmod(join(dir, 'token'), 0o644);
    expect(await guardToken(dir)).toEqual({ tightened: true, problem: null });
    expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
    await rm(join(dir, 'token'));
    await symlink('/etc/hostname', join(dir, 'token'));
    expect(await guardToken(dir)).toEqual({ tightened: false, problem: `the API token ${join(dir, 'token')} was replaced by a symlink` });
  });
});

describe('isAuthorized', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['Bearer', false],
    ['Bearer 0123456789abcdef', true],
    ['bearer 0123456789abcdef', true],
    ['Bearer  0123456789abcdef ', true],
    ['Bearer 0123456789abcdeF', false],
    ['Bearer 0123456789abcde', false],
    ['Basic 0123456789abcdef', false],
    ['Bearer 0123456789abcdef extra', false],
  ])('%j → %s', (header, expected) => {
    expect(isAuthorized(header, '0123456789abcdef')).toBe(expected);
  });
});

describe('isAuthorized, for any header', () => {
  it('accepts only "Bearer <the token>"', async () => {
    const fc = await import('fast-check');
    const token = fc.stringMatching(/^[0-9a-f]{16,64}$/);
    fc.assert(fc.property(token, (secret) => isAuthorized(`Bearer ${secret}`, secret)));
    fc.assert(fc.property(token, fc.string(), (secret, header) => isAuthorized(header, secret) === (header.trim().replace(/^bearer\s+/i, '') === secret && /^bearer\s/i.test(header))));
  });
});

describe('readToken', () => {
  it('reads the token govd wrote, or says why it cannot', async () => {
    const stateDir = join(dir, 'state');
    expect(await readToken(stateDir)).toEqual({ token: null, problem: `ENOENT: no such file or directory, open '${join(stateDir, 'token')}'` });
    await ensureToken(stateDir, { randomBytes: (size) => Buffer.alloc(size, 0x0f) });
    expect(await readToken(stateDir)).toEqual({ token: '0f'.repeat(32), problem: null });
  });
});
