import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGovd, waitFor, type GovdProcess } from './govd-harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('govd when a /proc file blocks', () => {
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('this test bind-mounts a FIFO in a mount namespace and must run as root');
  });

  it('a FIFO bound over /proc/pressure/memory: govd answers, reports pressure as degraded, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govd-fifo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const fifo = join(dir, 'pressure-fifo');
    execFileSync('mkfifo', [fifo]);
    // The bind mount lives in a private mount namespace of govd's own, as an attacker with CAP_SYS_ADMIN there could make it.
    const prefix = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /proc/pressure/memory && exec "$@"', fifo];
    const govd: GovdProcess = await startGovd('[governor]\ncheck_interval_secs = 1\n', { args: ['--dry-run'], prefix });
    cleanups.push(() => govd.cleanup());
    const status = await waitFor('two ticks', async () => {
      const answer = await govd.get<{ ticks: number; degraded: { source: string; code: string; message: string }[]; capabilities: { pressure: boolean | null } }>('/api/status');
      return answer.ticks >= 2 ? answer : null;
    });
    expect([status.capabilities.pressure, status.degraded.filter((item) => item.source === 'pressure')]).toEqual([
      false,
      [{ source: 'pressure', code: 'GOV_MEMINFO_READ_FAILED', message: 'cannot read /proc/pressure/memory: /proc/pressure/memory is not a regular file (a FIFO or a device in place of a kernel file); refused' }],
    ]);
    expect(await govd.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
