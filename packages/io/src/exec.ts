import { Buffer } from 'node:buffer';
import { ExecError } from './errors.js';
import type { Exec } from './exec-port.js';
import { MAX_HELPER_OUTPUT_BYTES } from './helper-session.js';

/**
 * Decodes a program's output: UTF-16LE when it starts with the FF FE byte-order mark, or when it
 * has an even length and NUL in at least half of its odd bytes (what `wsl.exe` and other Windows
 * programs write for their own messages); UTF-8 otherwise. A byte-order mark is dropped.
 */
export function decodeOutput(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.toString('utf16le', 2);
  if (buffer.length >= 2 && buffer.length % 2 === 0) {
    let zeros = 0;
    for (let index = 1; index < buffer.length; index += 2) if (buffer[index] === 0) zeros += 1;
    if (zeros * 2 >= buffer.length / 2) return buffer.toString('utf16le');
  }
  return buffer.toString('utf8').replace(/^\uFEFF/, '');
}

const decodeText = (bytes: Uint8Array) => decodeOutput(bytes).replace(/\r?\n$/, '');

export interface CreateExecOptions {
  /** Variables added to (or replacing in) the inherited environment, e.g. a PATH with stand-ins. */
  env?: Record<string, string>;
}

/** The real exec port, on execa: no shell, stdin closed, no console window on Windows. */
export function createExec(options: CreateExecOptions = {}): Exec {
  return async (file, args, execOptions = {}) => {
    // Loaded on first use: on plain Linux nothing is ever executed, so `gov status` skips it.
    const { execa } = await import('execa');
    const { signal } = execOptions;
    const result = await execa(file, [...args], {
      encoding: 'buffer',
      reject: false,
      stdin: 'ignore',
      windowsHide: true,
      // Stripped after decoding instead: in UTF-16 the final newline is not the last byte.
      stripFinalNewline: false,
      // A program that floods its output is stopped at the cap instead of filling memory.
      maxBuffer: MAX_HELPER_OUTPUT_BYTES,
      ...(signal ? { cancelSignal: signal } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    if (result.isMaxBuffer) throw new ExecError(`${file} printed more than ${MAX_HELPER_OUTPUT_BYTES} bytes; stopped`, { file });
    if (result.exitCode !== undefined) return { exitCode: result.exitCode, stdout: decodeText(result.stdout), stderr: decodeText(result.stderr) };
    if (signal?.aborted) throw signal.reason;
    const code: unknown = result.code;
    const errno = typeof code === 'string' ? code : null;
    const killedBy = result.signal ?? null;
    const message = errno !== null ? `${file} could not start (${errno})` : killedBy !== null ? `${file} was killed by ${killedBy}` : (result.shortMessage ?? `${file} did not exit`);
    throw new ExecError(message, { file, errno, signal: killedBy, cause: result.cause ?? undefined });
  };
}
