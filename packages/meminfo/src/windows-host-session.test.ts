import { Buffer } from 'node:buffer';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunning, waitGone } from '../../../tools/test-support/processes.js';
import { createStandIns } from '../test/stand-in.js';
import { createSnapshotSource, type SnapshotSource } from './snapshot.js';
import { windowsHostSessionArgs } from './sources/windows-host-session.js';

// govd in a WSL guest reads the Windows host every tick. A stand-in powershell.exe on PATH plays
// the long-lived helper: it logs every start, answers each line it reads with the real query's
// recorded output (or misbehaves as a test says), and writes the pids of what it starts.
const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const now = () => new Date('2026-11-22T03:00:00.000Z');
const HOST = { total: 33436588 * 1024, available: 14826132 * 1024, vmmem: 9126805504 };

let proc: string;
let standIns: Awaited<ReturnType<typeof createStandIns>>;
let sources: SnapshotSource[];

beforeEach(async () => {
  proc = await mkdtemp(join(tmpdir(), 'gov-proc-'));
  await mkdir(join(proc, 'pressure'));
  for (const [fixture, name] of [
    ['wsl2-5.15.167.4-microsoft-standard-WSL2.meminfo', 'meminfo'],
    ['linux-6.18.pressure', 'pressure/memory'],
    ['linux-6.18.vmstat', 'vmstat'],
    ['linux-6.18.stat', 'stat'],
  ] as const) {
    await copyFile(fixturePath(fixture), join(proc, name));
  }
  standIns = await createStandIns();
  sources = [];
});
afterEach(async () => {
  await Promise.all(sources.map((source) => source.close()));
  await rm(proc, { recursive: true, force: true });
  await standIns.remove();
});

/** A stand-in powershell.exe that logs its pid at each start, then runs `body`. */
const powershell = (body: string) => standIns.add('powershell.exe', `echo $$ >> '${standIns.dir}/starts'\n${body}`);
const starts = async () => (existsSync(join(standIns.dir, 'starts')) ? (await readFile(join(standIns.dir, 'starts'), 'utf8')).trim().split('\n').map(Number) : []);
const answering = `while read -r cue; do cat '${fixturePath('windows-host-script.stdout')}'; echo gov-end; done`;

function source(hostSession: Parameters<typeof createSnapshotSource>[0] extends infer O ? (O extends { hostSession?: infer H } ? H : never) : never = {}) {
  const created = createSnapshotSource({ environment: 'wsl-guest', procRoot: proc, now, hostSession: { env: standIns.env, killGraceMs: 300, ...hostSession } });
  sources.push(created);
  return created;
}


describe('the Windows host through one long-lived powershell.exe', () => {
  it('starts powershell.exe once for an hour of 30 s ticks, with its fixed argv, and reads the host each time', async () => {
    await powershell(answering);
    const governed = source();
    for (let tick = 0; tick < 120; tick += 1) {
      const snapshot = await governed.readSnapshot();
      expect([snapshot.host, snapshot.degraded]).toEqual([HOST, []]);
    }
    expect([(await starts()).length, governed.helperStarts]).toEqual([1, 1]);
    const argv = await standIns.argv('powershell.exe');
    expect(argv).toEqual(windowsHostSessionArgs());
    expect(argv.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-EncodedCommand']);
    expect(Buffer.from(argv[3] as string, 'base64').toString('utf16le')).toBe(
      [
        "$ErrorActionPreference = 'Stop'",
        'while ($null -ne [Console]::In.ReadLine()) {',
        'try {',
        '[Console]::Out.WriteLine((ConvertTo-Json -Compress -InputObject (Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object TotalVisibleMemorySize,FreePhysicalMemory)))',
        '[Console]::Out.WriteLine((ConvertTo-Json -Compress -InputObject @(Get-Process -Name vmmem,vmmemWSL -ErrorAction SilentlyContinue | Select-Object Name,Id,WorkingSet64)))',
        "} catch { [Console]::Out.WriteLine('gov-error ' + ($_.Exception.Message -replace '[\\r\\n]+', ' ')) }",
        "[Console]::Out.WriteLine('gov-end')",
        '[Console]::Out.Flush()',
        '}',
      ].join('\n'),
    );
  });

  it('reads a host with no WSL VM running, and reports a query PowerShell could not run', async () => {
    await powershell(`read -r cue; cat '${fixturePath('windows-host-script-no-vm.stdout')}'; echo gov-end; read -r cue; echo 'gov-error Access denied'; echo gov-end; sleep 600`);
    const governed = source();
    expect((await governed.readSnapshot()).host).toEqual({ total: 16601400 * 1024, available: 2712884 * 1024, vmmem: null });
    expect((await governed.readSnapshot()).degraded).toEqual([{ source: 'host', code: 'GOV_MEMINFO_EXEC_FAILED', message: 'powershell.exe could not read the host: Access denied' }]);
  });

  it('stops a helper that floods its output at the cap: the host is degraded, Linux still read', async () => {
    await powershell(`while read -r cue; do yes '{"TotalVisibleMemorySize":1}' | head -c 300000000; echo gov-end; done`);
    const governed = source({ maxOutputBytes: 1024 * 1024, timeoutMs: 20_000 });
    const snapshot = await governed.readSnapshot();
    expect([snapshot.linux?.total, snapshot.host, snapshot.degraded]).toEqual([
      16694403072,
      null,
      [{ source: 'host', code: 'GOV_MEMINFO_EXEC_FAILED', message: `cannot read the Windows host: powershell.exe printed more than ${1024 * 1024} bytes for one answer; stopped` }],
    ]);
    expect(await waitGone(await starts())).toEqual([]);
  }, 30_000);

  it('kills the whole process group of a helper that ignores SIGTERM when it does not answer, and starts no second one meanwhile', async () => {
    await powershell(`trap '' TERM; sh -c "trap '' TERM; sleep 600" & echo $! > '${standIns.dir}/children'; while read -r cue; do sleep 600; done`);
    const governed = source({ timeoutMs: 400, killGraceMs: 1500 });
    expect((await governed.readSnapshot()).degraded).toEqual([{ source: 'host', code: 'GOV_MEMINFO_TIMEOUT', message: 'powershell.exe did not answer within 400 ms; stopped' }]);
    // Within the grace it still runs (it ignores SIGTERM): the next tick starts no second helper.
    expect((await governed.readSnapshot()).degraded).toEqual([
      { source: 'host', code: 'GOV_MEMINFO_EXEC_FAILED', message: 'cannot read the Windows host: powershell.exe: the last helper is still on its way out; not starting another' },
    ]);
    const children = (await readFile(join(standIns.dir, 'children'), 'utf8')).trim().split('\n').map(Number);
    expect([(await starts()).length, children.length]).toEqual([1, 1]);
    expect(await waitGone([...(await starts()), ...children])).toEqual([]);
  }, 30_000);

  it('close() stops the helper and its children, even one that ignores SIGTERM', async () => {
    await powershell(`trap '' TERM; sh -c "trap '' TERM; sleep 600" & echo $! > '${standIns.dir}/children'; ${answering}`);
    const governed = source();
    expect((await governed.readSnapshot()).host).toEqual(HOST);
    const children = (await readFile(join(standIns.dir, 'children'), 'utf8')).trim().split('\n').map(Number);
    await governed.close();
    expect((await starts()).filter(isRunning)).toEqual([]);
    expect(await waitGone(children)).toEqual([]);
  });
});
