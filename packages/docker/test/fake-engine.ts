import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerEngine, EngineContainer, EngineInfo } from '../src/engine.js';
import { DockerError } from '../src/errors.js';

export const WEB = 'a'.repeat(64);
export const DB = 'b'.repeat(64);
export const MIB = 1024 ** 2;

export function engineContainer(id: string, name: string, extra: Partial<EngineContainer> = {}): EngineContainer {
  return { id, name, image: 'gov/busybox:test', state: 'running', labels: {}, startedAt: '2026-11-22T01:00:00Z', pid: 0, cgroupParent: '', memoryLimit: null, networks: [{ name: 'bridge', aliases: [] }], ...extra };
}

/** An in-memory engine: the same calls as dockerode's, over a list of containers. */
export function createFakeEngine(info: EngineInfo, containers: EngineContainer[], stats: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const find = (nameOrId: string) => {
    const found = containers.find((c) => c.id === nameOrId || c.name === nameOrId);
    if (!found) throw new DockerError(`inspecting container ${nameOrId}: No such container: ${nameOrId}`, { code: 'GOV_DOCKER_NOT_FOUND', statusCode: 404 });
    return found;
  };
  const engine: DockerEngine = {
    info: async () => info,
    listContainers: async () => containers.filter((c) => c.state === 'running' || c.state === 'paused').map((c) => ({ ...c })),
    inspect: async (nameOrId) => ({ ...find(nameOrId) }),
    stats: async (id) => {
      calls.push(`stats ${id.slice(0, 4)}`);
      return stats[id];
    },
    pause: async (id) => {
      calls.push(`pause ${id.slice(0, 4)}`);
      find(id).state = 'paused';
    },
    unpause: async (id) => {
      calls.push(`unpause ${id.slice(0, 4)}`);
      find(id).state = 'running';
    },
  };
  return { engine, calls, containers };
}

export async function writeFiles(base: string, files: Record<string, string>) {
  await mkdir(base, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(base, name), text);
}

/** A cgroup v2 machine in `dir`: mountinfo plus a unified hierarchy. */
export async function v2Machine(dir: string) {
  const cg = join(dir, 'cgroup');
  await writeFiles(join(dir, 'proc', 'self'), { mountinfo: `29 22 0:26 / ${cg} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n` });
  const scope = (id: string) => join(cg, 'system.slice', `docker-${id}.scope`);
  const setMemory = (id: string, current: number, file: number, usec: number) =>
    writeFiles(scope(id), {
      'memory.current': `${current}\n`,
      'memory.max': 'max\n',
      'memory.stat': `anon ${current - file}\nfile ${file}\nshmem 0\ninactive_file ${Math.floor(file / 2)}\n`,
      'memory.pressure': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
      'cpu.stat': `usage_usec ${usec}\nuser_usec ${usec}\nsystem_usec 0\n`,
    });
  return { cg, scope, setMemory };
}

/** The engine a local systemd-driver cgroup v2 Docker reports. */
export const LOCAL_V2: EngineInfo = { serverVersion: '27.0.0', cgroupDriver: 'systemd', cgroupVersion: 2, local: true };
