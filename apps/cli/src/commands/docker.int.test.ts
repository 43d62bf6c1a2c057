import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closedPort } from '../test-daemon.js';
import { describeWithDocker, dockerCli, removeContainers, startContainer } from '../../../../tools/test-support/docker.js';

// Runs the built programs, as a user would: build them first with `npx nx run @gov/cli:build` and `@gov/daemon:build`.
const GOV = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));
const GOVD = fileURLToPath(new URL('../../../daemon/dist/govd.js', import.meta.url));


describeWithDocker('gov docker, built, on the real engine', () => {
  const run = `gov-dkcli-${Date.now().toString(36)}`;
  const name = `${run}-idle`;
  let dir: string;
  let id: string;
  let port: number;

  function gov(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const childEnv = { ...process.env, NO_COLOR: '1', HOME: dir, GOV_STATE_DIR: join(dir, 'state'), GOV_CONFIG: join(dir, 'config.toml'), ...env };
      execFile(process.execPath, [GOV, 'docker', ...args], { env: childEnv }, (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() });
      });
    });
  }

  beforeAll(async () => {
    for (const program of [GOV, GOVD]) if (!existsSync(program)) throw new Error(`${program} is missing: build it first`);
    dir = await mkdtemp(join(tmpdir(), 'gov-cli-docker-int-'));
    // Bound and closed again: free for govd when a test starts it.
    port = await closedPort();
    // Only this run's containers may be paused: other containers on the machine are not ours. govd,
    // when a test starts it, listens on a port of this run's own and ticks every second.
    await writeFile(
      join(dir, 'config.toml'),
      `[governor]\ncheck_interval_secs = 1\n[docker]\nallow = ["${run}-*"]\nmax_pauses_per_tick = 1\n[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(join(dir, 'govd-state'))}\n`,
    );
    id = startContainer({ name, command: ['sh', '-c', 'dd if=/dev/zero of=/blob bs=1M count=16 2>/dev/null; exec sleep 3600'] });
  });
  afterAll(async () => {
    try {
      if (dockerCli(['inspect', '-f', '{{.State.Status}}', id]) === 'paused') dockerCli(['unpause', id]);
    } catch {
      // already gone
    }
    removeContainers(id);
    await rm(dir, { recursive: true, force: true });
  });

  it('ls prints the container from its cgroup files, as a table and as JSON', async () => {
    const table = await gov(['ls', '--sample', '500ms']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+STATE\s+MEMORY\s+CACHE\s+CPU %\s+IDLE FOR$/);
    expect(table.stdout).toMatch(new RegExp(`^${name}\\s+running\\s`, 'm'));
    const listed = await gov(['ls', '--sample', '500ms', '--json']);
    const ours = (JSON.parse(listed.stdout) as { containers: { id: string; state: string; source: string; memory: { usage: number } }[] }).containers.find((c) => c.id === id);
    expect([listed.exitCode, ours?.state, ours?.source, (ours?.memory.usage ?? 0) > 0]).toEqual([0, 'running', 'cgroup', true]);
  });

  it('pause-idle --yes samples for the window, pauses the idle container and unpause --all-paused-by-gov resumes it', async () => {
    const paused = await gov(['pause-idle', '--idle', '2s', '--yes', '--json']);
    expect([paused.exitCode, paused.stderr]).toEqual([0, 'sampling CPU for 2 s to find containers idle for that long…']);
    const result = JSON.parse(paused.stdout) as { paused: string[]; containers: { name: string; action: string; reclaim: { status: string; detail: string } | null }[] };
    expect(result.paused).toEqual([name]);
    // The 16 MiB file it wrote is page cache to reclaim, unless someone dropped every cache meanwhile.
    const reclaim = result.containers.find((c) => c.name === name)?.reclaim;
    if (reclaim?.status !== 'ok') expect(reclaim).toEqual({ status: 'skipped', targetBytes: null, detail: 'it holds less than 1 MiB of page cache' });
    expect(dockerCli(['inspect', '-f', '{{.State.Status}}', id])).toBe('paused');
    const listed = await gov(['ls', '--sample', '200ms']);
    expect(listed.stdout).toMatch(new RegExp(`^${name}\\s+paused \\(by gov\\)\\s`, 'm'));

    const resumed = await gov(['unpause', '--all-paused-by-gov', '--json']);
    expect([resumed.exitCode, JSON.parse(resumed.stdout)]).toEqual([0, { unpaused: [name], forgotten: [], failed: [] }]);
    expect(dockerCli(['inspect', '-f', '{{.State.Status}}', id])).toBe('running');
    const again = await gov(['unpause', name]);
    expect([again.exitCode, again.stdout]).toEqual([0, `${name} was not paused.`]);
  });

  it('ls and pause-idle --dry-run answer from a running govd\'s sampling, without waiting', async () => {
    const govd: ChildProcess = spawn(process.execPath, [GOVD, '--dry-run'], { env: { ...process.env, GOV_CONFIG: join(dir, 'config.toml'), GOV_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    try {
      // Two ticks a second apart: govd has seen the container idle for a second.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const answer = await fetch(`http://127.0.0.1:${port}/api/containers`).then(
          (response) => (response.ok ? (response.json() as Promise<{ containers: { id: string; idleForMs: number | null }[] }>) : null),
          () => null,
        );
        if ((answer?.containers.find((c) => c.id === id)?.idleForMs ?? 0) >= 1000) break;
        if (Date.now() > deadline || govd.exitCode !== null) throw new Error('govd did not sample the container');
        await new Promise((done) => setTimeout(done, 200));
      }
      const listed = await gov(['ls', '--json']);
      const parsed = JSON.parse(listed.stdout) as { source: { from: string; url: string }; containers: { id: string; cpu: { percent: number | null } }[] };
      expect([listed.exitCode, parsed.source.from, parsed.source.url]).toEqual([0, 'govd', `http://127.0.0.1:${port}`]);
      expect(parsed.containers.find((c) => c.id === id)?.cpu.percent).toBeLessThan(1);
      const dry = await gov(['pause-idle', '--dry-run', '--idle', '1s', '--json']);
      const result = JSON.parse(dry.stdout) as { dryRun: boolean; wouldPause: string[] };
      // No "sampling CPU for …" line: nothing was sampled by this run.
      expect([dry.exitCode, dry.stderr, result.dryRun, result.wouldPause]).toEqual([0, '', true, [name]]);
      expect(dockerCli(['inspect', '-f', '{{.State.Status}}', id])).toBe('running');
    } finally {
      govd.kill('SIGTERM');
      await new Promise((done) => (govd.exitCode === null ? govd.once('exit', done) : done(undefined)));
    }
  });

  it('exits 1 with GOV_DOCKER_UNAVAILABLE when no engine answers, and 2 on bad usage', async () => {
    const down = await gov(['ls', '--json'], { DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` });
    expect([down.exitCode, (JSON.parse(down.stdout) as { error: { code: string } }).error.code]).toEqual([1, 'GOV_DOCKER_UNAVAILABLE']);
    const usage = await gov(['unpause']);
    expect([usage.exitCode, usage.stderr.split('\n')[0]]).toEqual([2, 'gov: say which containers: NAME... or --all-paused-by-gov']);
  });
});
