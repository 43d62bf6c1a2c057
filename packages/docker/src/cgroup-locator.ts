import type { MeminfoFs } from '@gov/meminfo';
import { containerCgroupPath, locateContainerCgroup, memoryCgroupFromProc, parseCgroupMounts, type CgroupMount, type ContainerCgroup } from './cgroup-paths.js';
import type { EngineContainer, EngineInfo } from './engine.js';

export interface CgroupLocator {
  /** Where the container's cgroup is on this machine, looked up once per container start. */
  locate(container: EngineContainer, info: EngineInfo): Promise<ContainerCgroup | null>;
  /** Forgets the lookups of containers that are no longer listed (or have restarted). */
  retain(listed: readonly EngineContainer[]): void;
}

const keyOf = (container: EngineContainer) => `${container.id}@${container.startedAt}`;

/**
 * Finds containers' cgroups: by the engine's cgroup driver rule first, then from the kernel's
 * `/proc/<pid>/cgroup` for a layout the rule does not predict. The cgroup mounts are read once.
 */
export function createCgroupLocator(options: { fs: MeminfoFs; procRoot: string }): CgroupLocator {
  const { fs, procRoot } = options;
  const located = new Map<string, ContainerCgroup | null>();
  let mountsPromise: Promise<CgroupMount[]> | undefined;

  const readText = (path: string) => fs.readFile(path, { signal: AbortSignal.timeout(1000) });

  const mounts = () => {
    mountsPromise ??= readText(`${procRoot}/self/mountinfo`).then(parseCgroupMounts, () => []);
    return mountsPromise;
  };

  const isCgroupDir = async (cgroup: ContainerCgroup) =>
    readText(`${cgroup.memoryDir}/memory.stat`).then(
      () => true,
      () => false,
    );

  async function find(container: EngineContainer, info: EngineInfo): Promise<ContainerCgroup | null> {
    const all = await mounts();
    const path = containerCgroupPath(container.id, info.cgroupDriver, container.cgroupParent);
    const byDriver = path === null ? null : locateContainerCgroup(path, info.cgroupVersion, all);
    if (byDriver !== null && (await isCgroupDir(byDriver))) return byDriver;
    // A layout the driver rule does not predict (a daemon-wide --cgroup-parent, rootless): ask the kernel.
    if (container.pid > 0) {
      const text = await readText(`${procRoot}/${container.pid}/cgroup`).catch(() => null);
      const fromProc = text === null ? null : memoryCgroupFromProc(text, info.cgroupVersion);
      const byProc = fromProc === null ? null : locateContainerCgroup(fromProc, info.cgroupVersion, all);
      if (byProc !== null && (await isCgroupDir(byProc))) return byProc;
    }
    // Not readable here: still the path the engine uses, for reclaim by a privileged executor.
    return byDriver;
  }

  return {
    async locate(container, info) {
      const key = keyOf(container);
      if (located.has(key)) return located.get(key) ?? null;
      const cgroup = await find(container, info);
      located.set(key, cgroup);
      return cgroup;
    },
    retain(listed) {
      const current = new Set(listed.map(keyOf));
      for (const key of [...located.keys()]) if (!current.has(key)) located.delete(key);
    },
  };
}
