import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the lab guest mounts the unified hierarchy. */
export const CGROUP_ROOT = '/sys/fs/cgroup';

export const MiB = 1024 ** 2;

/**
 * A writable directory whose files live in the page cache, as on a disk: in the lab guest a
 * 9p share mounted with `cache=loose`. Not /tmp: tmpfs data is shmem, which memory.reclaim
 * cannot drop without swap.
 */
export function labDataDir(): string {
  const dir = process.env['GOV_V2_LAB_DATA'];
  if (!dir) throw new Error('GOV_V2_LAB_DATA is not set: these tests run inside the cgroup-v2 lab (npm run test:v2)');
  return dir;
}

/**
 * Fails unless this is a real cgroup-v2 kernel with the memory controller at /sys/fs/cgroup,
 * as in the lab guest. Call it at the top of every v2 test file.
 */
export function assertCgroupV2Kernel(): void {
  const controllers = existsSync(join(CGROUP_ROOT, 'cgroup.controllers')) ? readFileSync(join(CGROUP_ROOT, 'cgroup.controllers'), 'utf8') : '';
  if (!controllers.split(/\s+/).includes('memory')) {
    throw new Error(`${CGROUP_ROOT} is not a cgroup v2 hierarchy with the memory controller: run these tests with npm run test:v2`);
  }
}

/** The kernel series (`6.12`, `6.1`) of the running kernel. */
export function kernelSeries(): string {
  const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  const match = /^(\d+\.\d+)/.exec(release);
  if (!match?.[1]) throw new Error(`cannot read the kernel series from ${release}`);
  return match[1];
}

/** Reads one flat-keyed counter of a cgroup file such as memory.stat or cpu.stat. */
export function statValue(text: string, key: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${key} `));
  if (line === undefined) throw new Error(`no ${key} line in:\n${text}`);
  return Number(line.slice(key.length + 1));
}

export interface TestCgroup {
  /** Relative to the hierarchy root, as `@gov/reclaimer` takes it. */
  path: string;
  /** The directory. */
  dir: string;
  read(file: string): Promise<string>;
  /** `memory.current` in bytes. */
  current(): Promise<number>;
  /** One `memory.stat` counter in bytes. */
  stat(key: string): Promise<number>;
  /** Starts `command` with its process already in this cgroup. */
  spawn(command: string, args?: string[]): ChildProcess;
  /** Runs `sh -c script` in this cgroup and waits for it to exit 0. */
  run(script: string): Promise<void>;
  /**
   * Writes a file of `bytes` on the lab's data share from inside this cgroup and syncs it:
   * the cgroup is charged with that much clean, reclaimable page cache.
   */
  fillPageCache(bytes: number, name?: string): Promise<string>;
  /** Kills what runs in it and removes it (and its children). */
  remove(): Promise<void>;
}

let serial = 0;

async function enableControllers(dir: string): Promise<void> {
  await writeFile(join(dir, 'cgroup.subtree_control'), '+memory +cpu');
}

/**
 * Creates a cgroup (and any missing parent) under the unified hierarchy with the memory and
 * cpu controllers enabled down to it, as systemd or a container engine would.
 */
export async function createCgroup(path: string): Promise<TestCgroup> {
  const segments = path.split('/');
  let dir = CGROUP_ROOT;
  for (const segment of segments) {
    await enableControllers(dir);
    dir = join(dir, segment);
    await mkdir(dir, { recursive: true });
  }
  const children = new Set<ChildProcess>();
  const cgroup: TestCgroup = {
    path,
    dir,
    read: (file) => readFile(join(dir, file), 'utf8'),
    current: async () => Number((await readFile(join(dir, 'memory.current'), 'utf8')).trim()),
    stat: async (key) => statValue(await readFile(join(dir, 'memory.stat'), 'utf8'), key),
    spawn(command, args = []) {
      // The shell moves itself into the cgroup, then becomes the command: nothing runs outside.
      const child = spawn('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    run(script) {
      const child = cgroup.spawn('sh', ['-c', script]);
      return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sh -c ${JSON.stringify(script)} in ${path} exited ${code ?? signal}`))));
      });
    },
    async fillPageCache(bytes, name) {
      serial += 1;
      const file = join(labDataDir(), name ?? `${path.replaceAll('/', '_')}-${process.pid}-${serial}.bin`);
      await cgroup.run(`dd if=/dev/zero of="${file}" bs=1M count=${Math.ceil(bytes / MiB)} 2>/dev/null && sync`);
      return file;
    },
    async remove() {
      await removeCgroupTree(dir, children);
    },
  };
  return cgroup;
}

/**
 * Kills what runs in a cgroup (`cgroup.kill` on v2; on v1 the caller kills its processes first)
 * and removes it and its children, deepest first.
 */
export async function removeCgroupTree(dir: string, children: Set<ChildProcess>): Promise<void> {
  if (!existsSync(dir)) return;
  const exited = [...children].filter((child) => child.exitCode === null && child.signalCode === null).map((child) => new Promise((resolve) => child.once('exit', resolve)));
  // cgroup.kill (5.14+) kills every process of the subtree at once, frozen ones included.
  await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined);
  await Promise.all(exited);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeCgroupTree(join(dir, entry.name), new Set());
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      // Killed processes leave the cgroup a moment after their exit is reported.
      if ((error as { code?: string }).code !== 'EBUSY' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A cgroup name no other test file uses: page cache stays charged to its first reader. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

/** Waits until `probe` returns a value, polling every 100 ms for at most `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a Docker engine inside the lab guest on its default socket, with the cgroupfs driver
 * (the systemd driver needs systemd as PID 1, which the guest does not run), no networking (the
 * guest has none) and its data on the scratch disk, and imports `gov/busybox:test` from
 * /bin/busybox as tools/docker-engine.sh does on a host.
 */
export async function startLabDockerd(): Promise<{ stop(): Promise<void> }> {
  const dataRoot = join(labDataDir(), `docker-${process.pid}`);
  const dockerd = spawn(
    'dockerd',
    ['--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs', '--exec-opt', 'native.cgroupdriver=cgroupfs', '--data-root', dataRoot],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  dockerd.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise((resolve) => dockerd.once('exit', resolve));
  const docker = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  await until(
    `dockerd to answer (its log: ${log})`,
    () => {
      if (dockerd.exitCode !== null) throw new Error(`dockerd exited ${dockerd.exitCode}: ${log}`);
      try {
        docker(['info', '--format', '{{.ServerVersion}}']);
        return true;
      } catch {
        return undefined;
      }
    },
    60_000,
  );
  execFileSync(
    'sh',
    [
      '-c',
      `set -e
      rootfs=$(mktemp -d)
      mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc" "$rootfs/data"
      cp /bin/busybox "$rootfs/bin/busybox"
      for applet in $("$rootfs/bin/busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done
      echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
      tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - gov/busybox:test >/dev/null
      rm -rf "$rootfs"`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 },
  );
  return {
    async stop() {
      try {
        const ids = docker(['ps', '-aq']).split('\n').filter(Boolean);
        if (ids.length > 0) docker(['rm', '-f', ...ids]);
      } finally {
        dockerd.kill('SIGTERM');
        await exited;
      }
    },
  };
}
