import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCgroupMounts, hasMemoryController, parseMountinfo, parseProcMounts, resolveCgroupFile } from './cgroup.js';
import { ReclaimError } from './errors.js';

// A host with the v1 memory hierarchy and a v2 hierarchy without the memory controller.
const HYBRID_MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
42 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/vda rw,discard
`;

// A systemd distribution (WSL with systemd, Ubuntu 22.04+): cgroup v2 only.
const UNIFIED_MOUNTINFO = `24 29 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

describe('parseMountinfo and findCgroupMounts', () => {
  it('finds the v1 memory hierarchy and the v2 mount on a hybrid host', () => {
    expect(findCgroupMounts(parseMountinfo(HYBRID_MOUNTINFO))).toEqual({ v2: ['/sys/fs/cgroup/unified'], v1Memory: '/sys/fs/cgroup/memory' });
  });

  it('finds the v2 mount of a unified host, with optional fields before the separator', () => {
    expect(parseMountinfo(UNIFIED_MOUNTINFO)).toEqual([
      { mountPoint: '/sys', fsType: 'sysfs', superOptions: ['rw'] },
      { mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', superOptions: ['rw', 'nsdelegate', 'memory_recursiveprot'] },
    ]);
    expect(findCgroupMounts(parseMountinfo(UNIFIED_MOUNTINFO))).toEqual({ v2: ['/sys/fs/cgroup'], v1Memory: null });
  });

  it('does not take memory_recursiveprot or a named hierarchy for the memory controller', () => {
    const text = '40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd,memory_recursiveprot\n';
    expect(findCgroupMounts(parseMountinfo(text))).toEqual({ v2: [], v1Memory: null });
  });

  it('unescapes octal escapes in mount points', () => {
    expect(parseMountinfo('41 31 0:38 / /tmp/my\\040cgroups rw - cgroup2 none rw\n')).toEqual([{ mountPoint: '/tmp/my cgroups', fsType: 'cgroup2', superOptions: ['rw'] }]);
  });

  it('reads /proc/mounts the same way', () => {
    const text = 'cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n';
    expect(findCgroupMounts(parseProcMounts(text))).toEqual({ v2: ['/sys/fs/cgroup/unified'], v1Memory: '/sys/fs/cgroup/memory' });
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const mounts = findCgroupMounts(parseMountinfo(text));
        expect(Array.isArray(mounts.v2)).toBe(true);
        findCgroupMounts(parseProcMounts(text));
      }),
    );
  });
});

describe('hasMemoryController', () => {
  it('reads cgroup.controllers', () => {
    expect(hasMemoryController('cpuset cpu io memory hugetlb pids rdma misc\n')).toBe(true);
    expect(hasMemoryController('cpuset cpu io pids\n')).toBe(false);
    expect(hasMemoryController('')).toBe(false);
  });
});

describe('resolveCgroupFile', () => {
  let dir: string;
  let root: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'gov-cgroup-')));
    root = join(dir, 'cgroup');
    await mkdir(join(root, 'docker', 'abc'), { recursive: true });
    await writeFile(join(root, 'docker', 'abc', 'memory.reclaim'), '');
    await mkdir(join(dir, 'outside'));
    await writeFile(join(dir, 'outside', 'memory.reclaim'), '');
    await symlink(join(dir, 'outside'), join(root, 'docker', 'escape'));
    await mkdir(join(root, 'docker', 'linked'));
    await symlink(join(dir, 'outside', 'memory.reclaim'), join(root, 'docker', 'linked', 'memory.reclaim'));
    await symlink(join(root, 'docker', 'abc'), join(root, 'docker', 'alias'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const fs = { realpath };

  it('resolves a cgroup and its file inside the root', async () => {
    expect(await resolveCgroupFile(fs, root, 'docker/abc', 'memory.reclaim')).toBe(join(root, 'docker', 'abc', 'memory.reclaim'));
    expect(await resolveCgroupFile(fs, root, 'docker/alias', 'memory.reclaim')).toBe(join(root, 'docker', 'abc', 'memory.reclaim'));
  });

  it('refuses a directory symlink that leaves the root', async () => {
    await expect(resolveCgroupFile(fs, root, 'docker/escape', 'memory.reclaim')).rejects.toEqual(
      new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', `the cgroup docker/escape resolves to ${dir}/outside, outside the cgroup root ${root}; refused`, { path: `${root}/docker/escape` }),
    );
  });

  it('refuses a file symlink that leaves the root', async () => {
    await expect(resolveCgroupFile(fs, root, 'docker/linked', 'memory.reclaim')).rejects.toEqual(
      new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', `${root}/docker/linked/memory.reclaim resolves to ${dir}/outside/memory.reclaim, outside the cgroup root ${root}; refused`, {
        path: `${root}/docker/linked/memory.reclaim`,
      }),
    );
  });

  it('names a missing cgroup and a missing file', async () => {
    await expect(resolveCgroupFile(fs, root, 'docker/gone', 'memory.reclaim')).rejects.toMatchObject({ code: 'GOV_RECLAIM_INVALID_CGROUP', message: `there is no cgroup docker/gone under ${root}` });
    await expect(resolveCgroupFile(fs, root, 'docker', 'memory.reclaim')).rejects.toMatchObject({
      code: 'GOV_RECLAIM_UNSUPPORTED',
      message: `${root}/docker/memory.reclaim does not exist: this kernel or cgroup does not offer memory.reclaim`,
    });
  });
});
