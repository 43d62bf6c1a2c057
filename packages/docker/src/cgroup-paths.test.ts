import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containerCgroupPath, expandSystemdSlice, locateContainerCgroup, memoryCgroupFromProc, parseCgroupMounts } from './cgroup-paths.js';

const ID = '09464602a53f5b842f0d511d537c7257defb93bf962e916ec55d000aaf015f85';

// A hybrid machine: separate cpu and cpuacct hierarchies, plus a v2 mount without controllers.
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

const UNIFIED = `22 1 0:21 / / rw - ext4 /dev/sda1 rw
29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

describe('parseCgroupMounts', () => {
  it('keeps cgroup and cgroup2 mounts with their controllers', () => {
    expect(parseCgroupMounts(HYBRID)).toEqual([
      { version: 1, mountPoint: '/sys/fs/cgroup/cpu', root: '/', controllers: ['cpu'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/cpuacct', root: '/', controllers: ['cpuacct'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/systemd', root: '/', controllers: [] },
      { version: 2, mountPoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] },
    ]);
  });

  it('reads optional fields and octal escapes', () => {
    expect(parseCgroupMounts(UNIFIED)).toEqual([{ version: 2, mountPoint: '/sys/fs/cgroup', root: '/', controllers: [] }]);
    expect(parseCgroupMounts('50 1 0:40 / /tmp/my\\040cg rw - cgroup cgroup rw,cpu,cpuacct\n')).toEqual([
      { version: 1, mountPoint: '/tmp/my cg', root: '/', controllers: ['cpu', 'cpuacct'] },
    ]);
  });
});

describe('containerCgroupPath', () => {
  it.each([
    ['cgroupfs', '', `docker/${ID}`],
    ['cgroupfs', '/custom/parent/', `custom/parent/${ID}`],
    ['systemd', '', `system.slice/docker-${ID}.scope`],
    ['systemd', 'machine-apps.slice', `machine.slice/machine-apps.slice/docker-${ID}.scope`],
    ['systemd', '-.slice', `docker-${ID}.scope`],
  ] as const)('%s with parent %j → %s', (driver, parent, path) => {
    expect(containerCgroupPath(ID, driver, parent)).toBe(path);
  });

  it('refuses ids and parents that are not what the engine makes', () => {
    expect(containerCgroupPath('../../etc', 'cgroupfs')).toBeNull();
    expect(containerCgroupPath(ID, 'cgroupfs', '/docker/../..')).toBeNull();
    expect(containerCgroupPath(ID, 'systemd', 'not-a-slice')).toBeNull();
  });
});

it('expandSystemdSlice follows systemd naming', () => {
  expect(expandSystemdSlice('system.slice')).toBe('system.slice');
  expect(expandSystemdSlice('a-b-c.slice')).toBe('a.slice/a-b.slice/a-b-c.slice');
  expect(expandSystemdSlice('a--b.slice')).toBeNull();
  expect(expandSystemdSlice('a-.slice')).toBeNull();
  expect(expandSystemdSlice('x.scope')).toBeNull();
});

describe('locateContainerCgroup', () => {
  it('uses the memory and cpuacct hierarchies on v1, mounted apart or together', () => {
    expect(locateContainerCgroup(`docker/${ID}`, 1, parseCgroupMounts(HYBRID))).toEqual({
      version: 1,
      path: `docker/${ID}`,
      memoryDir: `/sys/fs/cgroup/memory/docker/${ID}`,
      cpuDir: `/sys/fs/cgroup/cpuacct/docker/${ID}`,
    });
    const together = parseCgroupMounts('1 0 0:1 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n2 0 0:2 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n');
    expect(locateContainerCgroup(`/docker/${ID}`, 1, together)?.cpuDir).toBe(`/sys/fs/cgroup/cpu,cpuacct/docker/${ID}`);
  });

  it('places the systemd driver layout on v1 hierarchies too', () => {
    expect(locateContainerCgroup(containerCgroupPath(ID, 'systemd') as string, 1, parseCgroupMounts(HYBRID))).toEqual({
      version: 1,
      path: `system.slice/docker-${ID}.scope`,
      memoryDir: `/sys/fs/cgroup/memory/system.slice/docker-${ID}.scope`,
      cpuDir: `/sys/fs/cgroup/cpuacct/system.slice/docker-${ID}.scope`,
    });
  });

  it('uses the unified mount on v2', () => {
    expect(locateContainerCgroup(`system.slice/docker-${ID}.scope`, 2, parseCgroupMounts(UNIFIED))).toEqual({
      version: 2,
      path: `system.slice/docker-${ID}.scope`,
      memoryDir: `/sys/fs/cgroup/system.slice/docker-${ID}.scope`,
      cpuDir: `/sys/fs/cgroup/system.slice/docker-${ID}.scope`,
    });
  });

  it('maps paths under a mount whose root is not /, and refuses paths outside it', () => {
    const nested = parseCgroupMounts('9 1 0:9 /docker /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n');
    expect(locateContainerCgroup(`docker/${ID}`, 2, nested)?.memoryDir).toBe(`/sys/fs/cgroup/${ID}`);
    expect(locateContainerCgroup(`other/${ID}`, 2, nested)).toBeNull();
  });

  it('is null when a needed hierarchy is not mounted', () => {
    expect(locateContainerCgroup(`docker/${ID}`, 1, parseCgroupMounts(UNIFIED))).toBeNull();
    expect(locateContainerCgroup(`docker/${ID}`, 2, [])).toBeNull();
  });
});

it('memoryCgroupFromProc reads /proc/<pid>/cgroup for v1 and v2', () => {
  const v1 = `9:name=systemd:/docker/${ID}\n4:memory:/docker/${ID}\n2:cpuacct:/docker/${ID}\n0::/\n`;
  expect(memoryCgroupFromProc(v1, 1)).toBe(`docker/${ID}`);
  expect(memoryCgroupFromProc(`0::/user.slice/user-1000.slice/user@1000.service/docker-${ID}.scope\n`, 2)).toBe(
    `user.slice/user-1000.slice/user@1000.service/docker-${ID}.scope`,
  );
  expect(memoryCgroupFromProc('0::/\n', 1)).toBeNull();
});

describe('outside input (properties)', () => {
  it('parseCgroupMounts and memoryCgroupFromProc take any text without throwing', () => {
    const line = fc.array(fc.constantFrom('1', '0:28', '/', '/sys/fs/cgroup', 'rw', '-', 'cgroup', 'cgroup2', 'rw,memory', 'x', '\\040', ':', '::/a'), { maxLength: 12 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(line).map((lines) => lines.join('\n'))), (text) => {
        for (const mount of parseCgroupMounts(text)) expect([1, 2]).toContain(mount.version);
        const path = memoryCgroupFromProc(text, 1);
        expect(path === null || !path.startsWith('/')).toBe(true);
      }),
    );
  });

  it('expandSystemdSlice ends with the slice itself, one level per dash (property)', () => {
    const word = fc.stringMatching(/^[a-z0-9_]{1,6}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), (words) => {
        const slice = `${words.join('-')}.slice`;
        const expanded = expandSystemdSlice(slice) as string;
        expect(expanded.split('/')).toHaveLength(words.length);
        expect(expanded.split('/').at(-1)).toBe(slice);
      }),
    );
  });

  it('containerCgroupPath never leaves the parent for any parent text (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('cgroupfs' as const, 'systemd' as const), (parent, driver) => {
        const path = containerCgroupPath(ID, driver, parent);
        if (path !== null) expect(path.split('/').some((segment) => segment === '..' || segment === '.')).toBe(false);
      }),
    );
  });
});
