import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HealthResponse, ReadinessResponse } from '@gov/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithDocker, dockerCli, removeContainers } from '../../../tools/test-support/docker.js';
import { assertBuilt, freePort, waitFor } from '../src/govd-harness.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCKERFILE = join(REPO, 'deploy/docker/Dockerfile');

/** The runtime stage's image config (`ENV`, `EXPOSE`, `ENTRYPOINT`, `CMD` after `FROM scratch`), as `docker import -c` changes. */
function runtimeConfig(dockerfile: string): string[] {
  const lines = dockerfile.split('\n');
  const stage = lines.findIndex((line) => /^FROM scratch\b/i.test(line));
  if (stage < 0) throw new Error('the Dockerfile has no FROM scratch runtime stage');
  return lines.slice(stage + 1).filter((line) => /^(ENV|EXPOSE|ENTRYPOINT|CMD|WORKDIR|USER) /.test(line));
}

/** Streams `tar -C rootfs -c .` into `docker import`, as the Dockerfile's COPY would lay the tree. */
function importRootfs(rootfs: string, tag: string, changes: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const docker = spawn('docker', ['import', ...changes.flatMap((change) => ['-c', change]), '-', tag], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    docker.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    tar.stdout?.pipe(docker.stdin as NodeJS.WritableStream);
    docker.once('error', fail);
    docker.once('exit', (code) => (code === 0 ? done() : fail(new Error(`docker import exited ${code}: ${errors}`))));
  });
}

describeWithDocker('the govd image, built offline from the same rootfs as the Dockerfile', () => {
  const tag = `gov/govd:rootfs-test-${process.pid}`;
  const name = `govd-image-${process.pid}`;
  let dir = '';
  let rootfs = '';

  beforeAll(async () => {
    assertBuilt();
    dir = await mkdtemp(join(tmpdir(), 'govd-image-'));
    rootfs = join(dir, 'rootfs');
    const assembled = spawnSync('bash', [join(REPO, 'deploy/docker/assemble-rootfs.sh'), rootfs], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
    if (assembled.status !== 0) throw new Error(`assemble-rootfs.sh failed (${assembled.status}): ${assembled.stderr}`);
    await importRootfs(rootfs, tag, runtimeConfig(await readFile(DOCKERFILE, 'utf8')));
  }, 360_000);

  afterAll(async () => {
    removeContainers(name);
    spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds Node.js, govd and its production dependencies, and none of the development ones', () => {
    const app = join(rootfs, 'opt/gov/node_modules');
    expect(['usr/local/bin/node', 'bin/sync', 'opt/gov/node_modules/@gov/daemon/dist/govd.js', 'opt/gov/node_modules/prom-client/package.json', 'opt/gov/node_modules/dockerode/package.json'].filter((path) => !existsSync(join(rootfs, path)))).toEqual([]);
    expect(['vitest', 'typescript', 'nx', 'kubernetes-models', '@gov/cli', 'fast-check'].filter((path) => existsSync(join(app, path)))).toEqual([]);
  });

  it('runs govd from a read-only root (dry run) on the local engine, and it answers /readyz', async () => {
    const config = join(dir, 'etc-gov');
    const state = join(dir, 'state');
    await mkdir(config);
    await mkdir(state);
    await chmod(state, 0o700);
    await writeFile(join(config, 'config.toml'), '[governor]\ncheck_interval_secs = 1\n\n[daemon]\nlisten = "0.0.0.0:7878"\nstate_dir = "/var/lib/gov"\n');
    const port = await freePort();
    // The image's own ENTRYPOINT; its CMD names the config, and --dry-run is added here.
    dockerCli(['run', '-d', '--name', name, '--label', 'gov.test=1', '--read-only', '--tmpfs', '/tmp', '-v', `${config}:/etc/gov:ro`, '-v', `${state}:/var/lib/gov`, '-p', `127.0.0.1:${port}:7878`, tag, '--config', '/etc/gov/config.toml', '--dry-run'], 30_000);
    const base = `http://127.0.0.1:${port}`;
    const logs = () => spawnSync('docker', ['logs', name], { encoding: 'utf8' }).stdout;
    const ready = await waitFor(`govd in the container to be ready (its log: ${logs()})`, async () => {
      // Docker's port proxy takes the connection before govd listens, and may then never answer.
      const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200 ? ((await response.json()) as ReadinessResponse) : null;
    }, 60_000, 250);
    expect(ready).toMatchObject({ status: 'ready', failing: [] });
    const health = (await (await fetch(`${base}/healthz`)).json()) as HealthResponse;
    expect(health).toMatchObject({ status: 'ok', maxAgeSeconds: 62 });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics.split('\n').filter((line) => line.startsWith('gov_build_info'))).toEqual([`gov_build_info{version="0.0.0",node="${process.versions.node}"} 1`]);
    // Its state went to the mounted directory, the only writable place besides /tmp.
    expect(existsSync(join(state, 'token'))).toBe(true);
  });
});
