import { readFile } from 'node:fs';
import { MeminfoSourceError } from './errors.js';

/** The file reads the sources need; the default wraps `node:fs`. */
export interface MeminfoFs {
  readFile(path: string, options: { signal: AbortSignal }): Promise<string>;
}

// The callback form: for small /proc files it costs markedly less than `fs/promises`, whose
// FileHandle round-trips dominate a read that the kernel answers in microseconds.
export const nodeFs: MeminfoFs = {
  readFile: (path, options) =>
    new Promise((resolve, reject) => {
      readFile(path, { encoding: 'utf8', signal: options.signal }, (error, text) => (error ? reject(error) : resolve(text)));
    }),
};

/** What a source rejects with at its deadline: `GOV_MEMINFO_TIMEOUT`. */
export function sourceTimeout(source: string, what: string, timeoutMs: number): MeminfoSourceError {
  return new MeminfoSourceError(`${what} did not answer within ${timeoutMs} ms`, { code: 'GOV_MEMINFO_TIMEOUT', source });
}

/** Whether an error from `fs` means the file does not exist (as opposed to unreadable). */
export function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads one text file; any failure becomes a `GOV_MEMINFO_READ_FAILED` naming the path. */
export async function readText(fs: MeminfoFs, path: string, source: string, signal: AbortSignal): Promise<string> {
  try {
    return await fs.readFile(path, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new MeminfoSourceError(`cannot read ${path}: ${reason}`, { code: 'GOV_MEMINFO_READ_FAILED', source, cause: error });
  }
}
