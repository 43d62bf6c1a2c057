import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the built program, as a user would: build it first with `npx nx run @gov/cli:build`.
const GOV = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));

// A state directory (and so a reclaim lock) of this file's own: runs elsewhere on the machine never hold it.
const stateDir = mkdtempSync(join(tmpdir(), 'gov-reclaim-int-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function gov(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [GOV, 'reclaim', ...args], { env: { ...process.env, NO_COLOR: '1', GOV_STATE_DIR: stateDir } }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ exitCode, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() });
    });
  });
}

describe('gov reclaim, built', () => {
  beforeAll(() => {
    if (!existsSync(GOV)) throw new Error(`${GOV} is missing: run \`npx nx run @gov/cli:build\` first`);
  });

  it('--json prints the ReclaimResult of a real compact_memory', async () => {
    const { exitCode, stdout } = await gov('--method', 'compact', '--json');
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown> & { before: { total: number }; after: { total: number }; freedBytes: number };
    expect({ ...result, steps: (result['steps'] as { durationMs: number }[]).map(({ durationMs: _, ...step }) => step) }).toEqual({
      method: 'compact_memory',
      targetBytes: null,
      steps: [{ name: 'compact_memory', status: 'ok', detail: 'write "1" to /proc/sys/vm/compact_memory' }],
      before: expect.objectContaining({ total: result.before.total }),
      after: expect.objectContaining({ total: result.before.total }),
      freedBytes: expect.any(Number),
      freedMeasure: 'machine',
      durationMs: expect.any(Number),
      dryRun: false,
    });
    expect(result.freedBytes).toBeGreaterThanOrEqual(0);
  });

  it('--dry-run --json lists what would run and changes nothing', async () => {
    const { exitCode, stdout } = await gov('--method', 'full', '--level', '2', '--dry-run', '--json');
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as { steps: unknown[]; after: unknown; dryRun: boolean; freedBytes: number };
    expect(result.steps).toEqual([
      { name: 'sync', status: 'skipped', detail: 'would run sync', durationMs: expect.any(Number) },
      { name: 'drop_caches', status: 'skipped', detail: 'would write "2" to /proc/sys/vm/drop_caches', durationMs: expect.any(Number) },
      { name: 'compact_memory', status: 'skipped', detail: 'would write "1" to /proc/sys/vm/compact_memory', durationMs: expect.any(Number) },
    ]);
    expect([result.after, result.dryRun, result.freedBytes]).toEqual([null, true, 0]);
  });

  it('--dry-run prints a line per step', async () => {
    const { exitCode, stdout } = await gov('--method', 'cgroup', '--target', '512M', '--dry-run');
    expect(exitCode).toBe(0);
    expect(stdout.replace(/\d+ ms/g, 'N ms')).toBe(
      [
        'skipped  sync         N ms  would run sync',
        'skipped  drop_caches  N ms  would write "1" to /proc/sys/vm/drop_caches',
        'fell back from cgroup_reclaim to drop_caches: no cgroup v2 memory controller is mounted, so the root cgroup has no memory.reclaim; dropped the page cache instead',
        'dry run: nothing was changed',
      ].join('\n'),
    );
  });

  it('drops the page cache for real and reports what it freed', async () => {
    const { exitCode, stdout } = await gov('--no-sync');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^ok {7}drop_caches {2}\d+ ms {1,3}write "1" to \/proc\/sys\/vm\/drop_caches\nfreed \d+(\.\d\d)? (B|KiB|MiB|GiB) in \d+(\.\d)? (ms|s)$/);
  });

  it('compacts after the drop when asked, for real', async () => {
    const { exitCode, stdout } = await gov('--no-sync', '--compact', '--json');
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as { steps: Array<{ name: string; status: string }> };
    expect(result.steps.map(({ name, status }) => `${name} ${status}`)).toEqual(['drop_caches ok', 'compact_memory ok']);
  });

  it('exits 2 for a cgroup that does not exist, and for a target out of range', async () => {
    const missing = await gov('--cgroup', 'docker/no-such-container', '--json');
    expect(missing.exitCode).toBe(2);
    expect((JSON.parse(missing.stdout) as { steps: unknown[] }).steps).toEqual([
      {
        name: 'cgroup_reclaim',
        status: 'failed',
        error: { code: 'GOV_RECLAIM_INVALID_CGROUP', message: 'there is no cgroup docker/no-such-container under /sys/fs/cgroup/memory' },
        durationMs: expect.any(Number),
      },
    ]);
    // A dry run refuses what the real run refuses.
    const dry = await gov('--cgroup', 'docker/nonexistent', '--dry-run', '--json');
    expect([dry.exitCode, (JSON.parse(dry.stdout) as { steps: { error?: unknown }[] }).steps.map((step) => step.error)]).toEqual([2, [{ code: 'GOV_RECLAIM_INVALID_CGROUP', message: 'there is no cgroup docker/nonexistent under /sys/fs/cgroup/memory' }]]);
    const tooSmall = await gov('--target', '4K');
    expect([tooSmall.exitCode, tooSmall.stdout, tooSmall.stderr]).toEqual([2, '', `gov: --target: "4K" is 4096 bytes; a target is from 1 MiB to 64 GiB\nusage: gov reclaim [--method METHOD] [--level 1|2|3] [--target SIZE] [--cgroup PATH] [--no-sync] [--compact] [--distro NAME] [--dry-run] [--json]`]);
  });
});
