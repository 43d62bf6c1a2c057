import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureToken, isAuthorized, readToken } from './token.js';

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
