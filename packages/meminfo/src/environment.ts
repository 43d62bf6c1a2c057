import { platform as osPlatform } from 'node:os';
import { isMissingFile, nodeFs, type MeminfoFs } from './io.js';
import type { Environment } from './types.js';

export interface DetectEnvironmentOptions {
  fs?: MeminfoFs;
  /** `os.platform()` unless given. */
  platform?: string;
  procRoot?: string;
}

async function readIfPresent(fs: MeminfoFs, path: string): Promise<string | null> {
  try {
    return await fs.readFile(path, { signal: new AbortController().signal });
  } catch (error) {
    if (isMissingFile(error)) return null;
    // Present but unreadable (EACCES on a locked-down binfmt_misc) still means present.
    return '';
  }
}

/**
 * `windows` on win32; `wsl-guest` inside WSL, known by its interop binfmt entry (`WSLInterop`,
 * `WSLInterop-late` on newer WSL) or a kernel release naming Microsoft; `linux` otherwise.
 */
export async function detectEnvironment(options: DetectEnvironmentOptions = {}): Promise<Environment> {
  if ((options.platform ?? osPlatform()) === 'win32') return 'windows';
  const fs = options.fs ?? nodeFs;
  const proc = options.procRoot ?? '/proc';
  const [interop, interopLate, release] = await Promise.all([
    readIfPresent(fs, `${proc}/sys/fs/binfmt_misc/WSLInterop`),
    readIfPresent(fs, `${proc}/sys/fs/binfmt_misc/WSLInterop-late`),
    readIfPresent(fs, `${proc}/sys/kernel/osrelease`),
  ]);
  if (interop !== null || interopLate !== null) return 'wsl-guest';
  return release !== null && /microsoft/i.test(release) ? 'wsl-guest' : 'linux';
}
