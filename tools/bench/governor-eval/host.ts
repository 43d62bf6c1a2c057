import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWindowsHostMemory, windowsHostSessionArgs } from '@gov/meminfo';

/*
 * The simulated Windows host of the host-pressure scenario. Its memory is
 *   available = total − other programs' demand − vmmem,
 * where vmmem, the WSL VM's working set, follows what the guest holds: pages the guest charges
 * are backed at once; pages it frees stay in vmmem until compaction lets free-page reporting
 * hand them back (WSL reports free blocks of 2^5 or 2^9 pages; its init compacts for that).
 */

/** One point of the other Windows programs' demand: bytes in use `atMs` into the run. */
export interface DemandPoint {
  atMs: number;
  bytes: number;
}

/** Parses `0s:7G,60s:7G,120s:11.5G` (time:size, times increasing). */
export function parseDemandCurve(text: string, flag = '--host-demand'): DemandPoint[] {
  const points = text.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)(s|m):(\d+(?:\.\d+)?)([MG])\s*$/i.exec(part);
    if (!match) throw new Error(`${flag}: "${part}" is not time:size (e.g. 60s:7G)`);
    return { atMs: Math.round(Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000)), bytes: Math.round(Number(match[3]) * (match[4]?.toUpperCase() === 'G' ? 2 ** 30 : 2 ** 20)) };
  });
  if (points.length < 2) throw new Error(`${flag}: needs at least two points, got ${points.length}`);
  for (let i = 1; i < points.length; i += 1) {
    if ((points[i] as DemandPoint).atMs <= (points[i - 1] as DemandPoint).atMs) throw new Error(`${flag}: times must increase ("${text}")`);
  }
  return points;
}

/** The demand at `atMs`, interpolated linearly; the last point holds after the curve ends. */
export function demandAt(curve: readonly DemandPoint[], atMs: number): number {
  const first = curve[0] as DemandPoint;
  if (atMs <= first.atMs) return first.bytes;
  for (let i = 1; i < curve.length; i += 1) {
    const a = curve[i - 1] as DemandPoint;
    const b = curve[i] as DemandPoint;
    if (atMs <= b.atMs) return a.bytes + ((b.bytes - a.bytes) * (atMs - a.atMs)) / (b.atMs - a.atMs);
  }
  return (curve[curve.length - 1] as DemandPoint).bytes;
}

/** The VM's side of the host: what vmmem holds beyond the guest's charged memory. */
export interface VmmemState {
  charged: number;
  /** Freed by the guest, not yet handed back (no compaction since). */
  unreported: number;
}

export const NEW_VM: VmmemState = { charged: 0, unreported: 0 };

/**
 * vmmem after the guest moved from the last charged figure to `charged`: growth takes freed
 * pages the VM still holds first, then new host memory; what is freed waits for a compaction
 * (but `reportedShare` of it, 0 by default).
 */
export function stepVmmem(state: VmmemState, charged: number, compacted: boolean, reportedShare = 0): VmmemState {
  const rise = charged - state.charged;
  // `reportedShare`: of what the guest frees, the part that already lies in blocks large enough to report without compaction.
  const unreported = compacted ? 0 : rise >= 0 ? Math.max(0, state.unreported - rise) : state.unreported - rise * (1 - reportedShare);
  return { charged, unreported };
}

export const vmmemBytes = (state: VmmemState) => state.charged + state.unreported;

export function hostAvailable(totalBytes: number, demandBytes: number, vmmem: number): number {
  return Math.max(0, totalBytes - demandBytes - vmmem);
}

/**
 * What the host query (`WINDOWS_HOST_SCRIPT`) prints, in its exact format: two compressed JSON
 * lines with CRLF, `Win32_OperatingSystem` in KiB, the VM's process as `vmmemWSL`.
 */
export function renderHostQuery(totalBytes: number, availableBytes: number, vmmem: number): string {
  const os = { TotalVisibleMemorySize: Math.floor(totalBytes / 1024), FreePhysicalMemory: Math.floor(availableBytes / 1024) };
  const processes = [{ Name: 'vmmemWSL', Id: 4242, WorkingSet64: Math.round(vmmem) }];
  return `${JSON.stringify(os)}\r\n${JSON.stringify(processes)}\r\n`;
}

/**
 * WSL's compaction thread (microsoft/WSL, src/linux/init/main.cpp): every 30 s, if the VM used
 * CPU since the last check (more than one tick per CPU) and then stays quiet for one second
 * (under one tick of user CPU per CPU), it writes `compact_memory`. WSL reads user time for
 * both; a real VM's own daemons use more than a tick of it every 30 s, which the guest cgroup
 * has none of, so "used CPU since the last check" counts the guest's system time too (its
 * readers spend almost all of theirs there). Pure: tick counts in, whether to compact out.
 */
export function wslShouldCompact(ticksSinceLastCheck: number, userTicksInQuietSecond: number, cpus: number): boolean {
  return ticksSinceLastCheck > cpus && userTicksInQuietSecond < cpus;
}

/**
 * The argv gov's host source runs `powershell.exe` with, captured through its exec port (so the
 * stand-in follows the product's query as it changes), and checked by parsing a rendered answer.
 */
export async function captureHostQueryArgs(): Promise<string[]> {
  let captured: string[] | null = null;
  await readWindowsHostMemory({
    exec: async (file, args) => {
      if (file !== 'powershell.exe') throw new Error(`the host source ran ${file}, not powershell.exe`);
      captured = [...args];
      return { exitCode: 0, stdout: renderHostQuery(16 * 2 ** 30, 4 * 2 ** 30, 2 ** 30), stderr: '' };
    },
  });
  if (captured === null) throw new Error('the host source ran nothing');
  return captured;
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** A shell test that is true when the script's argv is exactly `args`. */
function argvIs(args: readonly string[]): string {
  return [`[ "$#" -eq ${args.length} ]`, ...args.map((arg, i) => '[ "${' + String(i + 1) + '}" = ' + quote(arg) + ' ]')].join(' && ');
}

/**
 * The stand-in `powershell.exe`: a shell script that answers only the exact argv of the real
 * host query — the one-shot query by printing the state file the benchmark rewrites
 * (atomically) every second, the long-lived host session (govd's) by printing it and the
 * session's end line for every line read — and exits 64 on any other argv, so a changed query
 * shows up at once.
 */
export async function installPowershellStandIn(dir: string): Promise<{ binDir: string; statePath: string; publish(text: string): Promise<void> }> {
  const binDir = join(dir, 'bin');
  await mkdir(binDir, { recursive: true });
  const statePath = join(dir, 'windows-host.stdout');
  const script = [
    '#!/bin/sh',
    '# Stand-in for powershell.exe in the host-pressure scenario of tools/bench/governor-eval.',
    `if ${argvIs(await captureHostQueryArgs())}; then exec cat ${quote(statePath)}; fi`,
    `if ${argvIs(windowsHostSessionArgs())}; then`,
    `  while IFS= read -r _; do cat ${quote(statePath)}; printf 'gov-end\\r\\n'; done`,
    '  exit 0',
    'fi',
    'echo "unexpected argv: $*" >&2',
    'exit 64',
    '',
  ].join('\n');
  await writeFile(join(binDir, 'powershell.exe'), script);
  await chmod(join(binDir, 'powershell.exe'), 0o755);
  let n = 0;
  return {
    binDir,
    statePath,
    async publish(text) {
      const tmp = `${statePath}.${process.pid}.${(n += 1)}`;
      await writeFile(tmp, text);
      await rename(tmp, statePath);
    },
  };
}
