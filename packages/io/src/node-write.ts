import * as nodeFs from 'node:fs/promises';
import { writeFileAtomic as writeWith, type WriteFileAtomicOptions } from './atomic-write.js';

/** `writeFileAtomic` of `@gov/io/portable`, on `node:fs/promises` unless `fs` is given. */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  return writeWith(path, data, { ...options, fs: options.fs ?? nodeFs });
}
