import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const gov = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gov-status-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(gov)) throw new Error(`${gov} is missing: build it with "npx nx run @gov/cli:build"`);
});

function parseFree(text: string) {
  const mem = /^Mem:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(text);
  const swap = /^Swap:\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(text);
  if (!mem || !swap) throw new Error(`not free -b output:\n${text}`);
  const [total, used, free, shared, buffCache, available] = mem.slice(1).map(Number);
  const [swapTotal, swapUsed, swapFree] = swap.slice(1).map(Number);
  return { total, used, free, shared, buffCache, available, swapTotal, swapUsed, swapFree };
}

/** A /proc/meminfo field in bytes, read straight from the text. */
function field(text: string, name: string): number | null {
  const match = new RegExp(`^${name.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : null;
}

describe('gov status (built program)', () => {
  it('--json agrees exactly with free -b and /proc/meminfo on the same instant', () => {
    // /proc/meminfo changes every moment and other processes drop caches; freeze one copy of it
    // over /proc/meminfo in a private mount namespace so gov and free read the same text.
    const text = readFileSync('/proc/meminfo', 'utf8');
    const copy = join(scratch, 'meminfo');
    writeFileSync(copy, text);
    const output = execFileSync(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /proc/meminfo && "$2" "$3" status --json && echo ---free--- && free -b', 'sh', copy, process.execPath, gov],
      { encoding: 'utf8' },
    );
    const [json, free] = output.split('---free---\n') as [string, string];
    const status = JSON.parse(json);
    const kb = (name: string) => field(text, name);
    expect(status.linux).toEqual({
      ...parseFree(free),
      buffers: kb('Buffers'),
      cached: kb('Cached'),
      sReclaimable: kb('SReclaimable'),
      shmem: kb('Shmem'),
      reclaimable: (kb('Buffers') ?? 0) + (kb('Cached') ?? 0) - (kb('Shmem') ?? 0) + (kb('SReclaimable') ?? 0),
      actualUsage: (kb('MemTotal') ?? 0) - (kb('MemFree') ?? 0) - ((kb('Buffers') ?? 0) + (kb('Cached') ?? 0) - (kb('Shmem') ?? 0) + (kb('SReclaimable') ?? 0)),
      activeFile: kb('Active(file)'),
      inactiveFile: kb('Inactive(file)'),
    });
  });

  it('--json reads the live machine: every source, nothing degraded', () => {
    const status = JSON.parse(execFileSync(process.execPath, [gov, 'status', '--json'], { encoding: 'utf8' }));
    const live = parseFree(execFileSync('free', ['-b'], { encoding: 'utf8' }));
    expect(Object.keys(status)).toEqual(['at', 'environment', 'linux', 'pressure', 'vmstat', 'cpu', 'host', 'degraded', 'govd']);
    expect([status.environment, status.degraded, status.linux.total, status.linux.swapTotal]).toEqual(['linux', [], live.total, live.swapTotal]);
    expect(status.host).toEqual({ total: status.linux.total, available: status.linux.available, vmmem: null });
    expect(Object.keys(status.pressure.some)).toEqual(['avg10', 'avg60', 'avg300', 'totalUs']);
    expect(Object.keys(status.vmstat)).toEqual(['workingsetRefaultFile', 'workingsetRefaultAnon', 'pgmajfault', 'oomKill', 'pgsteal', 'pgscan']);
    expect(status.cpu.total).toBeGreaterThan(status.cpu.busy);
    expect(status.cpu.busy).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(status.at))).toBe(false);
  });

  it('prints the breakdown without colour when stdout is not a terminal', () => {
    const output = execFileSync(process.execPath, [gov, 'status'], { encoding: 'utf8' });
    const lines = output.split('\n');
    expect(lines[0]).toMatch(/^gov status {2}linux {2}\d{4}-\d\d-\d\dT/);
    expect(lines.slice(3, 11).map((line) => line.trim().split(/\s+/)[0])).toEqual(['used', 'apps', 'cache', 'reclaimable', 'shared', 'free', 'available', 'swap']);
    expect(output.includes('\u001b')).toBe(false);
  });

  it('--watch keeps printing until interrupted, then exits 0', async () => {
    const child = spawn(process.execPath, [gov, 'status', '--watch', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.split('\n').length > 2) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const frames = output.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(code).toBe(0);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.every((frame) => frame.environment === 'linux' && frame.linux.total > 0)).toBe(true);
  });
});
