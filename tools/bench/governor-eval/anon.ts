import { spawn, type ChildProcess } from 'node:child_process';
import type { WorkloadCgroup } from './cgroup.js';

/*
 * The anonymous part of the mixed workload: a process inside the guest that allocates a working
 * set, touches every page of it once, and touches it again on each `touch` (once per read pass).
 * There is no swap, so nobody can reclaim it: it is what the guest holds that is not cache.
 */
const WORKER = `
const size = Number(process.argv[1]);
const pages = Math.ceil(size / 4096);
const set = Buffer.alloc(size, 1);
let round = 1;
const touch = () => { round = (round + 1) & 0xff; for (let i = 0; i < pages; i += 1) set[i * 4096] = round; };
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => { for (const line of text.split('\\n')) if (line === 'touch') { touch(); process.stdout.write('ok\\n'); } });
process.stdout.write('ready\\n');
`;

export interface AnonWorker {
  /** Touches every page once more; resolves when done. */
  touch(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the worker inside the guest cgroup with `bytes` of anonymous memory, resolved once it holds it all. */
export async function startAnonWorker(cgroup: WorkloadCgroup, bytes: number): Promise<AnonWorker> {
  const child: ChildProcess = spawn('sh', ['-c', 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && exec "$3" -e "$4" "$5"', 'sh', cgroup.memoryDir, cgroup.cpuDir, process.execPath, WORKER, String(bytes)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      lines.push(line);
      waiters.shift()?.();
    }
  });
  const next = () =>
    new Promise<void>((resolve, reject) => {
      if (lines.length > 0) {
        lines.shift();
        resolve();
        return;
      }
      const onExit = (code: number | null) => reject(new Error(`the anonymous-memory worker exited (${code}) — OOM-killed in the guest cgroup?`));
      child.once('exit', onExit);
      waiters.push(() => {
        child.off('exit', onExit);
        lines.shift();
        resolve();
      });
    });
  await next();
  return {
    async touch() {
      child.stdin?.write('touch\n');
      await next();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
