import * as nodeFs from 'node:fs/promises';
import { syncDirectory as syncWith, writeFileAtomic as writeWith, type AtomicWriteFs, type WriteFileAtomicOptions } from './atomic-write.js';

/** `writeFileAtomic` of `@gov/io/portable`, on `node:fs/promises` unless `fs` is given. */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  return writeWith(path, data, { ...options, fs: options.fs ?? nodeFs });
}

/** `syncDirectory` of `@gov/io/portable`, on `node:fs/promises` unless `fs` is given. */
export function syncDirectory(path: string, options: { fs?: Pick<AtomicWriteFs, 'open'> } = {}): Promise<void> {
  return syncWith(path, { fs: options.fs ?? nodeFs });
}
