import { Buffer } from 'node:buffer';
import { spawn, type ChildProcess } from 'node:child_process';
import { ExecError } from './errors.js';
import { systemTimers, type Timers } from './timers.js';

/** The most a helper may print for one answer, by default: a few MiB, far above any real answer. */
export const MAX_HELPER_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface HelperSessionOptions {
  /** The program and its fixed argv; nothing from outside ever reaches them. */
  file: string;
  args: readonly string[];
  /** The line that ends each answer (`\n` or `\r\n` after it). */
  endMarker: string;
  /** Variables added to (or replacing in) the inherited environment. */
  env?: Record<string, string>;
  /** Output (stdout and stderr together) allowed for one answer; default `MAX_HELPER_OUTPUT_BYTES`. */
  maxOutputBytes?: number;
  /** After SIGTERM to the helper's process group, how long before SIGKILL; default 2 s. */
  killGraceMs?: number;
  /**
   * After the helper died without ever answering, how long before it is started again; it
   * doubles with each such death, up to `maxRestartDelayMs`. Default 30 s, at most 30 min.
   */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  timers?: Timers;
  now?: () => number;
}

/** A long-lived helper program asked for one answer at a time over its stdin and stdout. */
export interface HelperSession {
  /**
   * Writes a bare newline (the helper's cue: no text from outside) and resolves with the lines
   * it prints before `endMarker`. Starts the helper when none runs. At `timeoutMs`, or when
   * its output outgrows `maxOutputBytes`, the helper's whole process group is killed (SIGTERM,
   * then SIGKILL after the grace) and the call rejects with an `ExecError`. Concurrent calls
   * share one answer.
   */
  request(timeoutMs: number): Promise<string[]>;
  /** Stops the helper (its whole process group, SIGKILL after the grace); resolves once it is gone. */
  close(): Promise<void>;
  /** Helper processes started (or tried) so far. */
  readonly starts: number;
  /** The running helper's pid, or `null`. */
  readonly pid: number | null;
}

/** Signals the helper's whole process group (it leads one, spawned detached), or the helper alone on Windows. */
function signalGroup(helper: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (process.platform === 'win32') helper.kill(signal);
    else process.kill(-(helper.pid as number), signal);
  } catch {
    // the group is gone already
  }
}

/** Where the marker line ends in `bytes` (a line of its own, `\n` or `\r\n` after it): `[markerStart, lineEnd]`, or `null`. */
function findMarker(bytes: Buffer, marker: Buffer): [number, number] | null {
  for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + 1)) {
    if (at > 0 && bytes[at - 1] !== 0x0a) continue;
    let end = at + marker.length;
    if (bytes[end] === 0x0d) end += 1;
    if (bytes[end] === 0x0a) return [at, end + 1];
  }
  return null;
}

/**
 * A helper session: at most one helper process at a time — a new one starts only once the last
 * one is gone — restarted only when it dies, and bounded in what it may print and how long it
 * may take. The helper leads a process group of its own, so stopping it stops what it started.
 */
export function createHelperSession(options: HelperSessionOptions): HelperSession {
  const timers = options.timers ?? systemTimers;
  const now = options.now ?? Date.now;
  const maxOutputBytes = options.maxOutputBytes ?? MAX_HELPER_OUTPUT_BYTES;
  const killGraceMs = options.killGraceMs ?? 2000;
  const restartDelayMs = options.restartDelayMs ?? 30_000;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 30 * 60_000;
  const marker = Buffer.from(options.endMarker);
  const { file } = options;

  let helper: ChildProcess | null = null;
  // Set from a start until that helper's pipes are closed: no second helper meanwhile.
  let alive = false;
  let gone: Promise<void> = Promise.resolve();
  let starts = 0;
  let closed = false;
  // Deaths since the helper last answered: each doubles the wait before the next start.
  let failures = 0;
  let notBeforeMs = 0;
  let answered = false;
  let stopping = false;
  let waiting: { resolve(lines: string[]): void; reject(error: Error): void } | null = null;
  let inFlight: Promise<string[]> | null = null;
  let buffered: Buffer = Buffer.alloc(0);
  let outputBytes = 0;

  function fail(error: Error): void {
    const pending = waiting;
    waiting = null;
    pending?.reject(error);
  }

  /** SIGTERM to the group now, SIGKILL after the grace unless it is gone by then. */
  function stop(target: ChildProcess): void {
    if (stopping || target !== helper) return;
    stopping = true;
    signalGroup(target, 'SIGTERM');
    const force = timers.setTimeout(() => signalGroup(target, 'SIGKILL'), killGraceMs);
    void gone.then(() => timers.clearTimeout(force));
  }

  function onOutput(target: ChildProcess, chunk: Buffer, isAnswer: boolean): void {
    if (target !== helper || stopping) return;
    outputBytes += chunk.length;
    if (outputBytes > maxOutputBytes) {
      buffered = Buffer.alloc(0);
      fail(new ExecError(`${file} printed more than ${maxOutputBytes} bytes for one answer; stopped`, { file }));
      stop(target);
      return;
    }
    if (!isAnswer) return;
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (waiting === null || chunk.indexOf(0x0a) === -1) return;
    const found = findMarker(buffered, marker);
    if (found === null) return;
    const lines = buffered.subarray(0, found[0]).toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    buffered = buffered.subarray(found[1]);
    outputBytes = buffered.length;
    answered = true;
    failures = 0;
    const pending = waiting;
    waiting = null;
    pending.resolve(lines.map((line) => line.replace(/\r$/, '')));
  }

  function start(): ChildProcess {
    starts += 1;
    answered = false;
    stopping = false;
    buffered = Buffer.alloc(0);
    outputBytes = 0;
    const started = spawn(file, [...options.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    });
    helper = started;
    alive = true;
    let finished: () => void = () => undefined;
    gone = new Promise<void>((resolve) => (finished = resolve));
    const end = (error: Error) => {
      if (helper === started) helper = null;
      alive = false;
      if (!answered) {
        failures += 1;
        notBeforeMs = now() + Math.min(restartDelayMs * 2 ** (failures - 1), maxRestartDelayMs);
      }
      fail(error);
      finished();
    };
    // Neither the helper nor its pipes keep the process alive: a pending answer's timer does.
    started.unref();
    for (const stream of [started.stdin, started.stdout, started.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    started.stdin?.on('error', () => undefined);
    started.stdout?.on('data', (chunk: Buffer) => onOutput(started, chunk, true));
    started.stderr?.on('data', (chunk: Buffer) => onOutput(started, chunk, false));
    started.on('error', (error: NodeJS.ErrnoException) => {
      // It could not start (ENOENT, EACCES): there is no process to wait for.
      if (started.pid === undefined) end(new ExecError(`${file} could not start (${error.code ?? error.message})`, { file, errno: error.code ?? null, cause: error }));
    });
    started.on('exit', (code, signal) => {
      // Whatever it started goes with it; then our ends of its pipes, should something outside
      // the group still hold them.
      signalGroup(started, 'SIGKILL');
      const release = timers.setTimeout(() => {
        started.stdout?.destroy();
        started.stderr?.destroy();
      }, killGraceMs);
      started.once('close', () => {
        timers.clearTimeout(release);
        end(new ExecError(`${file} exited ${signal ? `on ${signal}` : `with code ${code}`} before it answered`, { file, signal }));
      });
    });
    return started;
  }

  async function ask(timeoutMs: number): Promise<string[]> {
    if (closed) throw new ExecError(`${file}: the helper session is closed`, { file });
    let target = helper;
    if (target === null || stopping) {
      if (alive) throw new ExecError(`${file}: the last helper is still on its way out; not starting another`, { file });
      const waitMs = notBeforeMs - now();
      if (failures > 0 && waitMs > 0) throw new ExecError(`${file} stopped ${failures} time(s) without answering; starting it again in ${Math.ceil(waitMs / 1000)} s`, { file });
      target = start();
    }
    const running = target;
    const answer = new Promise<string[]>((resolve, reject) => (waiting = { resolve, reject }));
    const timer = timers.setTimeout(() => {
      fail(new ExecError(`${file} did not answer within ${timeoutMs} ms; stopped`, { file, signal: 'SIGTERM' }));
      stop(running);
    }, timeoutMs);
    running.stdin?.write('\n');
    try {
      return await answer;
    } finally {
      timers.clearTimeout(timer);
    }
  }

  return {
    request(timeoutMs) {
      inFlight ??= ask(timeoutMs).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    async close() {
      closed = true;
      const running = helper;
      if (running !== null) {
        running.stdin?.end();
        stop(running);
      }
      await gone;
    },
    get starts() {
      return starts;
    },
    get pid() {
      return helper?.pid ?? null;
    },
  };
}
