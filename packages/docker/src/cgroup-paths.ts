/** One cgroup file system mount, from `/proc/self/mountinfo`. */
export interface CgroupMount {
  version: 1 | 2;
  /** Where it is mounted, e.g. `/sys/fs/cgroup/memory`. */
  mountPoint: string;
  /** The cgroup the mount shows at its top (`/` unless inside a cgroup namespace or bind mount). */
  root: string;
  /** v1 controllers the hierarchy carries (`memory`, `cpu`, `cpuacct`, …); empty for v2. */
  controllers: string[];
}

/** Where one container's cgroup lives. */
export interface ContainerCgroup {
  version: 1 | 2;
  /**
   * The container's cgroup relative to the memory hierarchy's root, without a leading slash:
   * `docker/<id>` (cgroupfs driver) or `system.slice/docker-<id>.scope` (systemd driver).
   * This is what `@gov/reclaimer`'s `cgroup_reclaim` takes.
   */
  path: string;
  /** Directory holding `memory.*` files. */
  memoryDir: string;
  /** Directory holding `cpuacct.usage` (v1) or `cpu.stat` (v2). */
  cpuDir: string;
}

export type CgroupDriver = 'cgroupfs' | 'systemd';

const V1_CONTROLLERS = new Set(['memory', 'cpu', 'cpuacct', 'freezer', 'blkio', 'pids', 'cpuset', 'devices', 'hugetlb', 'net_cls', 'net_prio', 'perf_event', 'rdma', 'misc']);

// mountinfo escapes space, tab, newline and backslash as three octal digits.
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parses `/proc/self/mountinfo` and keeps the cgroup (v1) and cgroup2 mounts. */
export function parseCgroupMounts(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const fields = line.slice(0, separator).split(' ');
    const [fsType, , superOptions = ''] = line.slice(separator + 3).split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fsType === 'cgroup2') {
      mounts.push({ version: 2, mountPoint: unescapeMountPath(mountPoint), root: unescapeMountPath(root), controllers: [] });
    } else if (fsType === 'cgroup') {
      const controllers = superOptions.split(',').filter((option) => V1_CONTROLLERS.has(option));
      mounts.push({ version: 1, mountPoint: unescapeMountPath(mountPoint), root: unescapeMountPath(root), controllers });
    }
  }
  return mounts;
}

/**
 * systemd's slice naming: `a-b-c.slice` lives at `a.slice/a-b.slice/a-b-c.slice`, and `-.slice`
 * is the root. Returns `null` for a name that is not a slice.
 */
export function expandSystemdSlice(slice: string): string | null {
  if (slice === '-.slice') return '';
  if (!/^[^/-][^/]*\.slice$/.test(slice) || slice.includes('--') || slice.endsWith('-.slice')) return null;
  const stem = slice.slice(0, -'.slice'.length);
  const parts = stem.split('-');
  const levels: string[] = [];
  for (let index = 1; index <= parts.length; index += 1) levels.push(`${parts.slice(0, index).join('-')}.slice`);
  return levels.join('/');
}

/**
 * The cgroup path (relative to the hierarchy root) the engine gives a container, as moby does:
 * cgroupfs puts it at `<parent or /docker>/<id>`, systemd at `<parent slice or system.slice>/docker-<id>.scope`.
 */
export function containerCgroupPath(id: string, driver: CgroupDriver, cgroupParent = ''): string | null {
  if (!/^[0-9a-f]{64}$/.test(id)) return null;
  if (driver === 'systemd') {
    const slice = expandSystemdSlice(cgroupParent === '' ? 'system.slice' : cgroupParent);
    if (slice === null) return null;
    return slice === '' ? `docker-${id}.scope` : `${slice}/docker-${id}.scope`;
  }
  const parent = (cgroupParent === '' ? '/docker' : cgroupParent).replace(/^\/+|\/+$/g, '');
  if (parent.split('/').some((segment) => segment === '..' || segment === '.')) return null;
  return parent === '' ? id : `${parent}/${id}`;
}

function joinUnderMount(mount: CgroupMount, path: string): string | null {
  const absolute = `/${path}`;
  const root = mount.root.replace(/\/+$/, '');
  if (root !== '' && absolute !== root && !absolute.startsWith(`${root}/`)) return null;
  const rest = absolute.slice(root.length);
  return `${mount.mountPoint.replace(/\/+$/, '')}${rest}`;
}

function v1Mount(mounts: CgroupMount[], controller: string): CgroupMount | undefined {
  return mounts.find((mount) => mount.version === 1 && mount.controllers.includes(controller));
}

/**
 * Places a container's cgroup path on this machine's mounts. v1 needs the `memory` and
 * `cpuacct` hierarchies (they may be one mount such as `cpu,cpuacct` or separate ones);
 * v2 needs the unified mount. `null` when a needed hierarchy is not mounted here.
 */
export function locateContainerCgroup(path: string, version: 1 | 2, mounts: CgroupMount[]): ContainerCgroup | null {
  const relative = path.replace(/^\/+/, '');
  if (version === 2) {
    const unified = mounts.find((mount) => mount.version === 2);
    const dir = unified ? joinUnderMount(unified, relative) : null;
    return dir === null ? null : { version: 2, path: relative, memoryDir: dir, cpuDir: dir };
  }
  const memory = v1Mount(mounts, 'memory');
  const cpuacct = v1Mount(mounts, 'cpuacct');
  const memoryDir = memory ? joinUnderMount(memory, relative) : null;
  const cpuDir = cpuacct ? joinUnderMount(cpuacct, relative) : null;
  if (memoryDir === null || cpuDir === null) return null;
  return { version: 1, path: relative, memoryDir, cpuDir };
}

/**
 * Reads a process's `/proc/<pid>/cgroup` for the memory cgroup path: used when a container's
 * cgroup is not where the driver would put it (a daemon-wide `--cgroup-parent`, rootless engines).
 */
export function memoryCgroupFromProc(text: string, version: 1 | 2): string | null {
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1).trim();
    if (version === 2 && line.slice(0, first) === '0' && controllers === '') return path.replace(/^\/+/, '');
    if (version === 1 && controllers.split(',').includes('memory')) return path.replace(/^\/+/, '');
  }
  return null;
}
