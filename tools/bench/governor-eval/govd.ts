import { spawn, type ChildProcess } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { access, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { WorkloadCgroup } from './cgroup.js';
import { emptyTally, type Contender, type ReclaimEvent } from './contender.js';
import { renderGuestMeminfo, renderGuestStat, renderGuestVmstat } from './guest.js';

/*
 * govd itself — the built program, its shipped defaults (dynamic policy, 30 s tick, learning on)
 * — as a WSL guest's daemon. It runs inside the guest cgroup, in its own mount namespace where:
 * - /proc/meminfo, /proc/vmstat and /proc/stat are the guest's, rendered from the cgroup every
 *   second (rewritten in place: a bind mount pins the file);
 * - /proc/sys/kernel/osrelease names a WSL2 kernel, so govd detects `wsl-guest` and asks
 *   Windows through `powershell.exe` — the stand-in on its PATH;
 * - /proc/sys/vm/drop_caches and compact_memory are FIFOs served here: a drop empties the
 *   guest cgroup's cache (`memory.force_empty`), a compaction lets the VM hand freed pages back.
 * /proc/pressure/memory and the cgroup mounts are the machine's: with no v2 memory controller
 * here, govd's `cgroup_reclaim` falls back to `drop_caches` = 1, as it does on any such guest.
 */

export interface GovdOptions {
  govdPath: string;
  dir: string;
  cgroup: WorkloadCgroup;
  vmSize: number;
  /** Directory with the stand-in `powershell.exe`. */
  binDir: string;
  onCompact: () => void;
  onReclaim?: (event: ReclaimEvent) => void;
}

const WSL_RELEASE = '6.6.87.2-microsoft-standard-WSL2\n';

async function writeInPlace(path: string, text: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(text, 0);
    await handle.truncate(Buffer.byteLength(text));
  } finally {
    await handle.close();
  }
}

function mkfifo(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mkfifo', ['-m', '0600', path], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo ${path} failed (${code})`))));
  });
}

/** Reads a FIFO without ever blocking a thread: opened read-write (never EOF), as a pipe socket. */
function serveFifo(path: string, onWrite: (text: string) => void): Socket {
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => onWrite(text));
  return socket;
}

export function createGovdContender(options: GovdOptions): Contender {
  const proc = join(options.dir, 'proc');
  const state = join(options.dir, 'state');
  let child: ChildProcess | null = null;
  let tally = emptyTally();
  let running = false;
  let renderLoop: Promise<void> = Promise.resolve();
  let fifos: Socket[] = [];
  let queue: Promise<void> = Promise.resolve();

  async function render(): Promise<void> {
    const memory = await options.cgroup.read();
    const busyTicks = Math.round((await options.cgroup.cpuNanoseconds()) / 1e7);
    const totalTicks = Math.round((Number(process.hrtime.bigint()) / 1e7) * availableParallelism());
    await writeInPlace(join(proc, 'meminfo'), renderGuestMeminfo(memory, options.vmSize));
    await writeInPlace(join(proc, 'vmstat'), renderGuestVmstat(memory));
    await writeInPlace(join(proc, 'stat'), renderGuestStat(busyTicks, totalTicks));
  }

  function onDrop(text: string): void {
    const at = Date.now();
    for (const level of text.replace(/\s/g, '')) {
      queue = queue.then(async () => {
        const freedBytes = await options.cgroup.forceEmpty();
        await render();
        tally.actions += 1;
        tally.freedBytes += freedBytes;
        const event = { at, freedBytes, what: `drop_caches=${level}` };
        tally.events.push(event);
        options.onReclaim?.(event);
      });
    }
  }

  return {
    name: 'govd',
    async start() {
      await access(options.govdPath).catch(() => {
        throw new Error(`govd: ${options.govdPath} does not exist; build it first (npm run build)`);
      });
      tally = emptyTally();
      await rm(options.dir, { recursive: true, force: true });
      await mkdir(proc, { recursive: true });
      await mkdir(state, { recursive: true });
      for (const name of ['meminfo', 'vmstat', 'stat']) await writeFile(join(proc, name), '');
      await writeFile(join(proc, 'osrelease'), WSL_RELEASE);
      await mkfifo(join(proc, 'drop_caches'));
      await mkfifo(join(proc, 'compact_memory'));
      fifos = [serveFifo(join(proc, 'drop_caches'), onDrop), serveFifo(join(proc, 'compact_memory'), () => options.onCompact())];
      await render();
      // Only where govd keeps its state and listens differ from the shipped defaults.
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      await writeFile(join(options.dir, 'config.toml'), `[daemon]\nstate_dir = "${state}"\nlisten = "127.0.0.1:${port}"\n`);
      const binds = [
        ['meminfo', '/proc/meminfo'],
        ['vmstat', '/proc/vmstat'],
        ['stat', '/proc/stat'],
        ['osrelease', '/proc/sys/kernel/osrelease'],
        ['drop_caches', '/proc/sys/vm/drop_caches'],
        ['compact_memory', '/proc/sys/vm/compact_memory'],
      ]
        .map(([from, to]) => `mount --bind '${join(proc, from as string)}' '${to}'`)
        .join(' && ');
      const script = `echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && ${binds} && exec "$3" "$4" --config "$5"`;
      child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', options.cgroup.memoryDir, options.cgroup.cpuDir, process.execPath, options.govdPath, join(options.dir, 'config.toml')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, PATH: `${options.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: options.dir, GOV_CONFIG: join(options.dir, 'config.toml') },
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      child.once('exit', (code, signal) => {
        if (running) process.stderr.write(`govd exited during the run (${code ?? signal}): ${stderr.trim()}\n`);
      });
      running = true;
      renderLoop = (async () => {
        while (running) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (running) await render().catch(() => undefined);
        }
      })();
    },
    async stop() {
      running = false;
      await renderLoop;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await queue;
      for (const fifo of fifos) fifo.destroy();
      fifos = [];
      return { ...tally, events: [...tally.events] };
    },
  };
}
