import { errnoOf } from './errors.js';

/** An open file, as `writeFileAtomic` uses it; Node's `FileHandle` is one. */
export interface AtomicWriteHandle {
  writeFile(data: string | Uint8Array): Promise<void>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file calls `writeFileAtomic` makes: a subset of `node:fs/promises`, which is one. */
export interface AtomicWriteFs {
  open(path: string, flags: string, mode?: number): Promise<AtomicWriteHandle>;
  stat(path: string): Promise<{ mode: number }>;
  mkdir(path: string, options: { recursive: true; mode?: number }): Promise<string | undefined>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export interface WriteFileAtomicOptions {
  /** The file system; from `@gov/io` the default is `node:fs/promises`, from `@gov/io/portable` it is required. */
  fs?: AtomicWriteFs;
  /** Permission bits of a new file (the umask applies); default `0o666`. An existing file keeps its own. */
  mode?: number;
  /** Permission bits of directories it creates (the umask applies); default `0o777`. */
  dirMode?: number;
}

/** Where the last path separator is (`/`, or `\` on Windows); -1 for a bare file name. */
function lastSeparator(path: string): number {
  return Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
}

/**
 * Makes a created, renamed or removed directory entry durable: fsyncs the directory. Best
 * effort: some platforms and file systems (Windows) cannot, which weakens durability, never
 * correctness; it never throws.
 */
export async function syncDirectory(path: string, options: { fs: Pick<AtomicWriteFs, 'open'> }): Promise<void> {
  try {
    const directory = await options.fs.open(path, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch {
    // best effort, see above
  }
}

function randomHex(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Replaces the file at `path` so that a reader, or a crash, sees the old content or the new one,
 * never a mix: the data goes to a new temporary file beside it (created exclusively, `wx`),
 * which is fsync'd and renamed over the target; then the directory is fsync'd (where the
 * platform allows it) so that the rename itself survives a power cut. The target keeps its
 * permission bits; missing directories are created. On failure the temporary file is removed
 * and the error (a Node system error) is thrown; the target is untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions & { fs: AtomicWriteFs }): Promise<void> {
  const { fs } = options;
  const cut = lastSeparator(path);
  const dir = cut === -1 ? '.' : cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
  await fs.mkdir(dir, { recursive: true, ...(options.dirMode === undefined ? {} : { mode: options.dirMode }) });
  let keptMode: number | null = null;
  try {
    keptMode = (await fs.stat(path)).mode & 0o777;
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
  const temporary = `${path.slice(0, cut + 1)}.${path.slice(cut + 1)}.${randomHex()}.tmp`;
  const handle = await fs.open(temporary, 'wx', options.mode ?? 0o666);
  try {
    try {
      // open() applies the umask; an existing file's mode is restored exactly.
      if (keptMode !== null) await handle.chmod(keptMode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir, { fs });
}
