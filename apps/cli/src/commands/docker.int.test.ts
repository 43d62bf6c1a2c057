import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithDocker, dockerCli, removeContainers, startContainer } from '../../../../tools/test-support/docker.js';

// Runs the built program, as a user would: build it first with `npx nx run @gov/cli:build`.
const GOV = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));

describeWithDocker('gov docker, built, on the real engine', () => {
  const run = `gov-dkcli-${Date.now().toString(36)}`;
  const name = `${run}-idle`;
  let dir: string;
  let id: string;

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
    if (!existsSync(GOV)) throw new Error(`${GOV} is missing: run \`npx nx run @gov/cli:build\` first`);
    dir = await mkdtemp(join(tmpdir(), 'gov-cli-docker-int-'));
    // Only this run's containers may be paused: other containers on the machine are not ours.
    await writeFile(join(dir, 'config.toml'), `[docker]\nallow = ["${run}-*"]\nmax_pauses_per_tick = 1\n`);
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

  it('exits 1 with GOV_DOCKER_UNAVAILABLE when no engine answers, and 2 on bad usage', async () => {
    const down = await gov(['ls', '--json'], { DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` });
    expect([down.exitCode, (JSON.parse(down.stdout) as { error: { code: string } }).error.code]).toEqual([1, 'GOV_DOCKER_UNAVAILABLE']);
    const usage = await gov(['unpause']);
    expect([usage.exitCode, usage.stderr.split('\n')[0]]).toEqual([2, 'gov: say which containers: NAME... or --all-paused-by-gov']);
  });
});
