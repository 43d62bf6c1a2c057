import { describe, expect, it } from 'vitest';
import { detectEnvironment } from './environment.js';
import type { MeminfoFs } from './io.js';

function fakeFs(files: Record<string, string>, unreadable: string[] = []): MeminfoFs {
  return {
    readFile: async (path) => {
      if (unreadable.includes(path)) throw Object.assign(new Error(`EACCES: ${path}`), { code: 'EACCES' });
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
}

describe('detectEnvironment', () => {
  it('is windows on win32, without reading anything', async () => {
    expect(await detectEnvironment({ platform: 'win32', fs: fakeFs({}, ['/proc/sys/kernel/osrelease']) })).toBe('windows');
  });

  it('is wsl-guest where the WSL interop binfmt entry exists', async () => {
    const cases = await Promise.all([
      detectEnvironment({ platform: 'linux', fs: fakeFs({ '/proc/sys/fs/binfmt_misc/WSLInterop': 'enabled\n', '/proc/sys/kernel/osrelease': '6.6.36.6-custom\n' }) }),
      detectEnvironment({ platform: 'linux', fs: fakeFs({ '/proc/sys/fs/binfmt_misc/WSLInterop-late': 'enabled\n' }) }),
      detectEnvironment({ platform: 'linux', fs: fakeFs({}, ['/proc/sys/fs/binfmt_misc/WSLInterop']) }),
    ]);
    expect(cases).toEqual(['wsl-guest', 'wsl-guest', 'wsl-guest']);
  });

  it('is wsl-guest for a Microsoft kernel (WSL2 and WSL1) even with interop off', async () => {
    const cases = await Promise.all(
      ['5.15.167.4-microsoft-standard-WSL2\n', '4.4.0-19041-Microsoft\n'].map((release) =>
        detectEnvironment({ platform: 'linux', fs: fakeFs({ '/proc/sys/kernel/osrelease': release }) }),
      ),
    );
    expect(cases).toEqual(['wsl-guest', 'wsl-guest']);
  });

  it('is linux otherwise, and reads under procRoot', async () => {
    expect(await detectEnvironment({ platform: 'linux', procRoot: '/host/proc', fs: fakeFs({ '/host/proc/sys/kernel/osrelease': '6.18.44-fc\n', '/proc/sys/fs/binfmt_misc/WSLInterop': '' }) })).toBe(
      'linux',
    );
  });

  it('detects this machine as linux', async () => {
    expect(await detectEnvironment()).toBe('linux');
  });
});
