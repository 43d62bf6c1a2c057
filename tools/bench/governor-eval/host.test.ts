import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createWindowsHostSession, readWindowsHostMemory } from '@gov/meminfo';
import { captureHostQueryArgs, demandAt, hostAvailable, installPowershellStandIn, NEW_VM, parseDemandCurve, renderHostQuery, stepVmmem, vmmemBytes, wslShouldCompact } from './host.js';

const GIB = 1024 ** 3;

describe('the simulated Windows host', () => {
  it('reads a demand curve and interpolates it, holding the last point', () => {
    const curve = parseDemandCurve('0s:7G,60s:7G,2m:11.5G');
    expect(curve).toEqual([
      { atMs: 0, bytes: 7 * GIB },
      { atMs: 60_000, bytes: 7 * GIB },
      { atMs: 120_000, bytes: 11.5 * GIB },
    ]);
    expect(demandAt(curve, 90_000)).toBe(9.25 * GIB);
    expect(demandAt(curve, 600_000)).toBe(11.5 * GIB);
    expect(() => parseDemandCurve('0s:7G')).toThrow('--host-demand: needs at least two points, got 1');
    expect(() => parseDemandCurve('0s:7G,0s:8G')).toThrow('--host-demand: times must increase ("0s:7G,0s:8G")');
    expect(() => parseDemandCurve('0s:7G,soon:8G')).toThrow('--host-demand: "soon:8G" is not time:size (e.g. 60s:7G)');
  });

  it('keeps freed guest pages in vmmem until a compaction, and reuses them first when the guest grows', () => {
    let vm = stepVmmem(NEW_VM, 4 * GIB, false);
    expect(vmmemBytes(vm)).toBe(4 * GIB);
    vm = stepVmmem(vm, 2 * GIB, false);
    expect(vm).toEqual({ charged: 2 * GIB, unreported: 2 * GIB });
    vm = stepVmmem(vm, 3 * GIB, false);
    expect(vm).toEqual({ charged: 3 * GIB, unreported: GIB });
    vm = stepVmmem(vm, 2.5 * GIB, true);
    expect(vm).toEqual({ charged: 2.5 * GIB, unreported: 0 });
    expect(stepVmmem(vm, 0.5 * GIB, false, 0.25)).toEqual({ charged: 0.5 * GIB, unreported: 1.5 * GIB });
    expect(hostAvailable(16 * GIB, 12 * GIB, 5 * GIB)).toBe(0);
  });

  it("compacts as WSL's thread does: after activity, once the VM is quiet for a second", () => {
    expect(wslShouldCompact(400, 1, 2)).toBe(true);
    expect(wslShouldCompact(2, 0, 2)).toBe(false);
    expect(wslShouldCompact(400, 2, 2)).toBe(false);
  });

  it("answers gov's real host query through the stand-in powershell.exe, and nothing else", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gov-eval-host-'));
    try {
      const standIn = await installPowershellStandIn(dir);
      const text = renderHostQuery(16 * GIB, 3 * GIB, 5 * GIB);
      await standIn.publish(text);
      expect(text).toBe('{"TotalVisibleMemorySize":16777216,"FreePhysicalMemory":3145728}\r\n[{"Name":"vmmemWSL","Id":4242,"WorkingSet64":5368709120}]\r\n');
      expect(await readFile(standIn.statePath, 'utf8')).toBe(text);
      const run = promisify(execFile);
      const path = join(standIn.binDir, 'powershell.exe');
      expect((await run(path, await captureHostQueryArgs())).stdout).toBe(text);
      await expect(run(path, ['-NoProfile', '-Command', 'Get-Process'])).rejects.toMatchObject({ code: 64 });
      const saved = process.env.PATH;
      process.env.PATH = `${standIn.binDir}:${saved}`;
      try {
        expect(await readWindowsHostMemory()).toEqual({ total: 16 * GIB, available: 3 * GIB, vmmem: 5 * GIB });
      } finally {
        process.env.PATH = saved;
      }
      // govd's long-lived host session: one start, an answer per reading, each from the latest state.
      const session = createWindowsHostSession({ env: { PATH: `${standIn.binDir}:${process.env.PATH}` } });
      try {
        expect(await session.read()).toEqual({ total: 16 * GIB, available: 3 * GIB, vmmem: 5 * GIB });
        await standIn.publish(renderHostQuery(16 * GIB, 2 * GIB, 6 * GIB));
        expect(await session.read()).toEqual({ total: 16 * GIB, available: 2 * GIB, vmmem: 6 * GIB });
        expect(session.starts).toBe(1);
      } finally {
        await session.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
