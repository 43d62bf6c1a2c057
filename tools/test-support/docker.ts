import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

/** The offline image `tools/docker-engine.sh` imports: busybox with its applets. */
export const TEST_IMAGE = 'gov/busybox:test';

/** Label on every container a test starts, so a failed run can be cleaned up. */
export const TEST_LABEL = 'gov.test=1';

const HOW_TO = 'run `bash tools/docker-engine.sh` to install and start one (GOV_REQUIRE_DOCKER=1 makes its absence a failure)';

function docker(args: string[], timeoutMs = 10_000): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

let cached: { available: boolean; reason: string } | undefined;

/** Whether a Docker engine answers and has the test image; checked once per test file. */
export function dockerEngineStatus(): { available: boolean; reason: string } {
  if (cached) return cached;
  try {
    docker(['info', '--format', '{{.ServerVersion}}'], 5_000);
  } catch {
    return (cached = { available: false, reason: `no Docker engine answers; ${HOW_TO}` });
  }
  try {
    docker(['image', 'inspect', TEST_IMAGE]);
  } catch {
    return (cached = { available: false, reason: `the image ${TEST_IMAGE} is missing; ${HOW_TO}` });
  }
  return (cached = { available: true, reason: '' });
}

/**
 * `describe` for tests that need the real engine. Without one they are skipped with one
 * visible line saying why, unless `GOV_REQUIRE_DOCKER=1`, where a missing engine fails.
 */
export function describeWithDocker(name: string, body: () => void): void {
  const status = dockerEngineStatus();
  if (status.available) {
    describe(name, body);
  } else if (process.env['GOV_REQUIRE_DOCKER'] === '1') {
    describe(name, () => {
      it('needs a Docker engine (GOV_REQUIRE_DOCKER=1)', () => {
        throw new Error(status.reason);
      });
    });
  } else {
    process.stderr.write(`skipping "${name}": ${status.reason}\n`);
    describe.skip(name, body);
  }
}

/** Starts a detached test container and returns its full id. */
export function startContainer(options: { name?: string; labels?: Record<string, string>; command: string[]; extraArgs?: string[] }): string {
  const args = ['run', '-d', '--label', TEST_LABEL];
  if (options.name) args.push('--name', options.name);
  for (const [key, value] of Object.entries(options.labels ?? {})) args.push('--label', `${key}=${value}`);
  args.push(...(options.extraArgs ?? []), TEST_IMAGE, ...options.command);
  return docker(args, 30_000);
}

/** Removes containers by id or name, ignoring ones already gone. */
export function removeContainers(...idsOrNames: string[]): void {
  for (const id of idsOrNames) {
    try {
      docker(['rm', '-f', id], 30_000);
    } catch {
      // already removed
    }
  }
}

/** Runs the docker CLI with a fixed argv and returns its stdout. */
export function dockerCli(args: string[], timeoutMs?: number): string {
  return docker(args, timeoutMs);
}

/** Removes a test's containers (unpausing those still paused first) and its networks, ignoring what is already gone. */
export function removeTestObjects(containers: string[], networks: string[] = []): void {
  for (const id of containers) {
    try {
      if (docker(['inspect', '-f', '{{.State.Status}}', id]) === 'paused') docker(['unpause', id]);
    } catch {
      // already gone
    }
  }
  removeContainers(...containers);
  for (const network of networks) {
    try {
      docker(['network', 'rm', network], 30_000);
    } catch {
      // already gone
    }
  }
}
