import { ReclaimError } from './errors.js';

/** One mounted filesystem, as `/proc/self/mountinfo` or `/proc/mounts` lists it. */
export interface MountEntry {
  mountPoint: string;
  fsType: string;
  /** Per-superblock options: for cgroup v1 these name the controllers (`rw,memory`). */
  superOptions: string[];
}

/** Where memory cgroups are mounted: every cgroup2 mount, and the v1 hierarchy with `memory`. */
export interface CgroupMounts {
  v2: string[];
  v1Memory: string | null;
}

// The kernel escapes space, tab, newline and backslash in mount paths as octal (`\040`).
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parses `/proc/self/mountinfo`. Lines it cannot read are ignored: only cgroup mounts matter here. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0) continue;
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    const superOptions = fields[separator + 3];
    if (mountPoint === undefined || fsType === undefined) continue;
    entries.push({ mountPoint: unescapeMountPath(mountPoint), fsType, superOptions: superOptions ? superOptions.split(',') : [] });
  }
  return entries;
}

/** Parses `/proc/mounts` (`source mountpoint fstype options dump pass`). */
export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [, mountPoint, fsType, options] = line.trim().split(/\s+/);
    if (mountPoint === undefined || fsType === undefined) continue;
    entries.push({ mountPoint: unescapeMountPath(mountPoint), fsType, superOptions: options ? options.split(',') : [] });
  }
  return entries;
}

/**
 * Picks the cgroup mounts out of a mount table. A v1 hierarchy counts when `memory` is among
 * its options; a v2 mount is listed whatever its controllers (read `cgroup.controllers` to know).
 * When a hierarchy is mounted twice, the first mount wins.
 */
export function findCgroupMounts(entries: readonly MountEntry[]): CgroupMounts {
  const v2: string[] = [];
  let v1Memory: string | null = null;
  for (const entry of entries) {
    if (entry.fsType === 'cgroup2') {
      if (!v2.includes(entry.mountPoint)) v2.push(entry.mountPoint);
    } else if (entry.fsType === 'cgroup' && v1Memory === null && entry.superOptions.includes('memory')) {
      v1Memory = entry.mountPoint;
    }
  }
  return { v2, v1Memory };
}

/** Whether a v2 `cgroup.controllers` file offers the memory controller. */
export function hasMemoryController(controllersText: string): boolean {
  return controllersText.split(/\s+/).includes('memory');
}

/** The fs calls path resolution needs. */
export interface RealpathFs {
  realpath(path: string): Promise<string>;
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * Resolves a validated relative cgroup path (`''` is the root) and one of its files under a
 * cgroup mount, following symlinks, and refuses anything that lands outside the mount with
 * `GOV_RECLAIM_INVALID_CGROUP`. Returns the real path of the file.
 */
export async function resolveCgroupFile(fs: RealpathFs, mountPoint: string, cgroup: string, file: string): Promise<string> {
  const root = await fs.realpath(mountPoint).catch((error: unknown) => {
    throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', `the cgroup mount ${mountPoint} cannot be read (${errnoOf(error) ?? String(error)})`, { cause: error, errno: errnoOf(error), path: mountPoint });
  });
  const requested = cgroup === '' ? root : `${root.replace(/\/$/, '')}/${cgroup}`;
  const directory = await fs.realpath(requested).catch((error: unknown) => {
    const errno = errnoOf(error);
    throw new ReclaimError(
      'GOV_RECLAIM_INVALID_CGROUP',
      errno === 'ENOENT' ? `there is no cgroup ${cgroup} under ${mountPoint}` : `the cgroup ${cgroup} under ${mountPoint} cannot be resolved (${errno ?? String(error)})`,
      { cause: error, errno, path: requested },
    );
  });
  if (!isInside(root, directory)) {
    throw new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', `the cgroup ${cgroup} resolves to ${directory}, outside the cgroup root ${root}; refused`, { path: requested });
  }
  const filePath = `${directory.replace(/\/$/, '')}/${file}`;
  const real = await fs.realpath(filePath).catch((error: unknown) => {
    const errno = errnoOf(error);
    throw new ReclaimError(
      'GOV_RECLAIM_UNSUPPORTED',
      errno === 'ENOENT' ? `${filePath} does not exist: this kernel or cgroup does not offer ${file}` : `${filePath} cannot be resolved (${errno ?? String(error)})`,
      { cause: error, errno, path: filePath },
    );
  });
  if (!isInside(root, real)) {
    throw new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', `${filePath} resolves to ${real}, outside the cgroup root ${root}; refused`, { path: filePath });
  }
  return real;
}
