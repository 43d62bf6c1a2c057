import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateFiles } from '@gov/api/node';

/** The built daemon the end-to-end tests run, as a user would. */
export const GOVD = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/govd.js');

/** Fails with a clear message when the daemon has not been built. */
export function assertBuilt(): void {
  if (!existsSync(GOVD)) throw new Error(`${GOVD} is missing: run \`npx nx run @gov/daemon:build\` first`);
}

/**
 * A config whose policy must act: the host counts as pressured at 1% used, the floor is low and
 * a tick is 1 s. `targetMb` and `intervalSecs` set the reclaim; `extra` adds tables.
 */
export function eagerConfig(options: { targetMb?: number; intervalSecs?: number; extra?: string } = {}): string {
  return `
[governor]
policy = "aggressive"
check_interval_secs = 1
linux_min_mb = 64
psi_some_avg10_max = 100

[governor.aggressive]
host_pressure_threshold_percent = 1
target_reclaim_mb = ${options.targetMb ?? 64}
reclaim_interval_secs = ${options.intervalSecs ?? 1}
${options.extra ?? ''}`;
}

/** A config that acts on every tick (run it with --dry-run). */
export const EAGER_DRY_RUN = eagerConfig();

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

export interface GovdProcess {
  child: ChildProcess;
  dir: string;
  configPath: string;
  stateDir: string;
  base: string;
  stdout(): string;
  stderr(): string;
  logLines(): Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  token(): Promise<string>;
  get<T = unknown>(path: string): Promise<T>;
  /** Sends a signal and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cleanup(): Promise<void>;
}

/** Writes `[daemon]` (listen on a free port, a temp state dir) after the given TOML. */
export async function prepareConfig(toml: string, options: { dir?: string; port?: number; stateDir?: string; daemonKeys?: string } = {}) {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'govd-e2e-')));
  const port = options.port ?? (await freePort());
  const stateDir = options.stateDir ?? join(dir, 'state');
  const configPath = join(dir, 'config.toml');
  await writeFile(configPath, `${toml}\n[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(stateDir)}\n${options.daemonKeys ?? ''}`);
  return { dir, port, stateDir, configPath };
}

/** Spawns the built govd and, unless `waitReady` is false, waits until its API answers. */
export async function startGovd(
  toml: string,
  options: {
    args?: string[];
    dir?: string;
    port?: number;
    stateDir?: string;
    daemonKeys?: string;
    waitReady?: boolean;
    readyTimeoutMs?: number;
    env?: Record<string, string>;
    /** A command that execs govd's argv after its own (e.g. `unshare -m …`). */
    prefix?: string[];
  } = {},
): Promise<GovdProcess> {
  assertBuilt();
  const { dir, port, stateDir, configPath } = await prepareConfig(toml, options);
  const argv = [...(options.prefix ?? []), process.execPath, GOVD, '--config', configPath, ...(options.args ?? [])];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOV_LOG_LEVEL: 'info', ...options.env } });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (response.headers.get('content-type')?.startsWith('application/json') ? response.json() : response.text()) as Promise<T>;
  };
  const govd: GovdProcess = {
    child,
    dir,
    configPath,
    stateDir,
    base,
    stdout: () => out,
    stderr: () => err,
    logLines: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    token: async () => (await readFile(stateFiles(stateDir).token, 'utf8')).trim(),
    get,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (options.waitReady ?? true) {
    await Promise.race([
      waitFor('govd to answer /api/status', () => get('/api/status').then(() => true), options.readyTimeoutMs),
      exited.then(({ code }) => {
        throw new Error(`govd exited with ${code} before answering:\n${err}\n${out}`);
      }),
    ]);
  }
  return govd;
}
