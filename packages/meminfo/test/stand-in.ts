import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory with stand-in executables (`wsl.exe`, `powershell.exe`) for PATH: each records
 * its argv NUL-separated in `<name>.argv` and then runs the given shell body.
 */
export async function createStandIns() {
  const dir = await mkdtemp(join(tmpdir(), 'gov-stand-in-'));
  return {
    dir,
    /** PATH with the stand-ins first, then the system (for `sh`, `cat`, `printf`). */
    env: { PATH: `${dir}:/usr/bin:/bin` },
    async add(name: string, body: string): Promise<void> {
      const script = `#!/bin/sh\nfor arg in "$@"; do printf '%s\\0' "$arg"; done > '${dir}/${name}.argv'\n${body}\n`;
      await writeFile(join(dir, name), script);
      await chmod(join(dir, name), 0o755);
    },
    async argv(name: string): Promise<string[]> {
      const text = await readFile(join(dir, `${name}.argv`), 'utf8');
      return text.split('\0').slice(0, -1);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
