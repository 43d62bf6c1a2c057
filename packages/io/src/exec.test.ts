import { Buffer } from 'node:buffer';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecError } from './errors.js';
import { createExec, decodeOutput } from './exec.js';

const node = process.execPath;

describe('createExec (real processes)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-io-exec-'));
    // A stand-in that prints its argv one per line, an inherited variable, and what PATH it saw.
    await writeFile(join(dir, 'stand-in'), `#!/bin/sh\nfor arg in "$@"; do echo "$arg"; done\necho "home=$HOME"\necho "$GOV_IO_TEST" >&2\nexit 3\n`);
    await chmod(join(dir, 'stand-in'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes argv as is, never through a shell, adds env to the inherited one, and resolves whatever the exit code', async () => {
    const exec = createExec({ env: { PATH: `${dir}:/usr/bin:/bin`, GOV_IO_TEST: 'added' } });
    expect(await exec('stand-in', ['a b', '$(reboot)', '; echo no'])).toEqual({
      exitCode: 3,
      stdout: `a b\n$(reboot)\n; echo no\nhome=${process.env['HOME'] ?? ''}`,
      stderr: 'added',
    });
  });

  it('rejects with an ExecError carrying the errno when the program is not on PATH', async () => {
    const failure = createExec({ env: { PATH: dir } })('wsl.exe', ['--list']);
    await expect(failure).rejects.toBeInstanceOf(ExecError);
    await expect(failure).rejects.toMatchObject({ code: 'GOV_IO_EXEC_FAILED', file: 'wsl.exe', errno: 'ENOENT', signal: null, message: 'wsl.exe could not start (ENOENT)' });
  });

  it('stops a program that floods its output at the cap, and rejects saying so', async () => {
    await expect(createExec()(node, ['-e', "const chunk = 'x'.repeat(65536); for (let i = 0; i < 4096; i++) process.stdout.write(chunk)"])).rejects.toMatchObject({
      name: 'ExecError',
      message: `${node} printed more than ${4 * 1024 * 1024} bytes; stopped`,
    });
  });

  it('rejects with the signal that killed the program', async () => {
    await expect(createExec()(node, ['-e', "process.kill(process.pid, 'SIGKILL')"])).rejects.toMatchObject({ name: 'ExecError', errno: null, signal: 'SIGKILL', message: `${node} was killed by SIGKILL` });
  });

  it('kills the program when the signal aborts, and rejects with its reason', async () => {
    const controller = new AbortController();
    const running = createExec()(node, ['-e', 'setTimeout(() => {}, 60_000)'], { signal: controller.signal });
    const reason = new Error('deadline');
    setImmediate(() => controller.abort(reason));
    await expect(running).rejects.toBe(reason);
  });

  it('decodes what a Windows program writes in UTF-16LE', async () => {
    const exec = createExec();
    const result = await exec(node, ['-e', "process.stdout.write(Buffer.from('There is no distribution with the supplied name.\\r\\n', 'utf16le'))"]);
    expect(result).toEqual({ exitCode: 0, stdout: 'There is no distribution with the supplied name.', stderr: '' });
  });
});

describe('decodeOutput', () => {
  it('reads UTF-8, and UTF-16LE with or without a byte-order mark', () => {
    expect([
      decodeOutput(Buffer.from('MemTotal: 1 kB\n', 'utf8')),
      decodeOutput(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Zugriff verweigert', 'utf16le')])),
      decodeOutput(Buffer.from('\uFEFFWindows Subsystem for Linux\r\n', 'utf16le')),
      decodeOutput(Buffer.from('Wsl/Service/E_ACCESSDENIED', 'utf16le')),
      decodeOutput(Buffer.from('\uFEFFUTF-8 with a mark', 'utf8')),
      decodeOutput(Buffer.from('Größe: 1 kB', 'utf8')),
      decodeOutput(new Uint8Array()),
    ]).toEqual(['MemTotal: 1 kB\n', 'Zugriff verweigert', 'Windows Subsystem for Linux\r\n', 'Wsl/Service/E_ACCESSDENIED', 'UTF-8 with a mark', 'Größe: 1 kB', '']);
  });

  it('reads a slice of a larger buffer', () => {
    const whole = Buffer.from('xxMemFree: 2 kB\n', 'utf8');
    expect(decodeOutput(whole.subarray(2))).toBe('MemFree: 2 kB\n');
  });
});
