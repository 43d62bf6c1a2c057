import { spawn } from 'node:child_process';
import { open, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkloadCgroup } from './cgroup.js';

const CHUNK = 8 * 1024 * 1024;

/** A set of files that together make one working set. */
export interface FileSet {
  name: string;
  files: string[];
  bytes: number;
}

/**
 * Makes (or reuses) `count` files of random bytes totalling `bytes` under `dir`. Random, so no
 * layer below the page cache can shortcut the reads.
 */
export async function ensureFileSet(dir: string, name: string, bytes: number, count: number): Promise<FileSet> {
  await mkdir(dir, { recursive: true });
  const each = Math.ceil(bytes / count / 4096) * 4096;
  const files: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const path = join(dir, `${name}-${i}.bin`);
    files.push(path);
    const existing = await stat(path).catch(() => null);
    if (existing?.size === each) continue;
    const handle = await open(path, 'w');
    try {
      const buffer = Buffer.alloc(CHUNK);
      for (let written = 0; written < each; written += CHUNK) {
        for (let offset = 0; offset < CHUNK; offset += 65_536) crypto.getRandomValues(buffer.subarray(offset, offset + 65_536));
        await handle.write(buffer, 0, Math.min(CHUNK, each - written));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  return { name, files, bytes: each * count };
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.slice(0, 3).join(' ')}… failed (${code ?? signal}): ${stderr.trim()}`))));
  });
}

/** Drops the set's pages from the page cache (`posix_fadvise(DONTNEED)` through `dd iflag=nocache`), whoever they are charged to. */
export async function evictFileSet(set: FileSet): Promise<void> {
  for (const file of set.files) await run('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/** One pass over a set: its wall time, and the bytes that had to come from the disk (cache misses). */
export interface ReadPass {
  ms: number;
  diskBytes: number;
}

/**
 * Reads every file of the set once, from a process inside the workload cgroup (so the cache
 * it faults in is charged there). The shell reaps `cat` before reading its own
 * `/proc/<pid>/io`, which then includes the child's `read_bytes`: what the reads fetched from
 * storage rather than the page cache.
 */
export async function readFileSet(set: FileSet, cgroup: WorkloadCgroup): Promise<ReadPass> {
  const started = process.hrtime.bigint();
  const output = await run('sh', ['-c', 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && shift 2 && cat "$@" > /dev/null && grep "^read_bytes:" /proc/$$/io', 'sh', cgroup.memoryDir, cgroup.cpuDir, ...set.files]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const match = /^read_bytes: (\d+)$/m.exec(output);
  if (!match) throw new Error(`no read_bytes in /proc/<pid>/io: ${JSON.stringify(output)}`);
  return { ms, diskBytes: Number(match[1]) };
}
