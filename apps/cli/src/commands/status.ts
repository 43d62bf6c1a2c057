import { setTimeout as sleepFor } from 'node:timers/promises';
import { formatBytes } from '@gov/api';
import { readSnapshot as readRealSnapshot, wasteBytes, type PressureLine, type ReadSnapshotOptions, type Snapshot } from '@gov/meminfo';
import { parseCommandArgs } from '../args.js';
import { createPalette, formatJson, formatTable, type Palette } from '../format.js';
import { readGovdSummary, renderGovdSummary, type GovdSummary } from '../govd-summary.js';
import type { CliIo, Command } from '../io.js';
import { statusSpec } from './specs.js';

/** Home, then clear to the end: the next frame overwrites the last one in place. */
const REDRAW = '\u001b[H\u001b[J';
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';

export interface StatusCommandOptions {
  readSnapshot?: (options: ReadSnapshotOptions) => Promise<Snapshot>;
  /** What govd is doing (`readGovdSummary` by default); tests pass their own. */
  readGovd?: (io: CliIo, configFlag: string | undefined) => Promise<GovdSummary>;
  now?: () => Date;
  /** Waits between `--watch` frames; resolves early when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  intervalMs?: number;
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, { signal });
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

function percentOf(bytes: number, total: number): string {
  return total > 0 ? `${((bytes / total) * 100).toFixed(1)}%` : '';
}

function pressureText(line: PressureLine): string {
  return `${line.avg10.toFixed(2)} ${line.avg60.toFixed(2)} ${line.avg300.toFixed(2)}`;
}

function count(value: number | null): string {
  return value === null ? '—' : String(value);
}

/** The human breakdown of one snapshot (and of govd, when given): aligned rows, binary units, colour only through `palette`. */
export function renderStatus(snapshot: Snapshot, palette: Palette, govd?: { summary: GovdSummary; now: Date }): string {
  const lines: string[] = [`${palette.bold('gov status')}  ${snapshot.environment}  ${snapshot.at}`, ''];
  const linux = snapshot.linux;
  if (linux) {
    const usedShare = linux.total > 0 ? linux.used / linux.total : 0;
    const tone = usedShare >= 0.9 ? palette.red : usedShare >= 0.8 ? palette.yellow : (text: string) => text;
    const rows: [label: string, bytes: number, share: string, note: string][] = [
      ['used', linux.used, percentOf(linux.used, linux.total), 'total − available'],
      ['apps', linux.actualUsage, percentOf(linux.actualUsage, linux.total), 'held by applications: total − free − reclaimable'],
      ['cache', linux.buffCache, percentOf(linux.buffCache, linux.total), 'buffers + page cache + reclaimable slab'],
      ['reclaimable', linux.reclaimable, percentOf(linux.reclaimable, linux.total), 'cache that drop_caches gives back (no shared memory)'],
      ['shared', linux.shared, percentOf(linux.shared, linux.total), 'tmpfs and shared memory'],
      ['free', linux.free, percentOf(linux.free, linux.total), 'unused'],
      ['available', linux.available, percentOf(linux.available, linux.total), 'for new work without swapping'],
      ['swap', linux.swapUsed, percentOf(linux.swapUsed, linux.swapTotal), linux.swapTotal > 0 ? `used of ${formatBytes(linux.swapTotal)}` : 'no swap'],
    ];
    const sizes = rows.map(([, bytes]) => formatBytes(bytes));
    const sizeWidth = Math.max(...sizes.map((size) => size.length));
    const shareWidth = Math.max(...rows.map(([, , share]) => share.length));
    const table = formatTable(
      rows.map(([label, , share, note], index) => {
        const cell = `${(sizes[index] as string).padStart(sizeWidth)}  ${share.padStart(shareWidth)}`;
        return [`  ${label}`, label === 'used' ? tone(cell) : cell, palette.dim(note)];
      }),
    );
    lines.push(`${palette.bold('Linux')}  ${formatBytes(linux.total)} total`, table.trimEnd());
  } else {
    lines.push(`${palette.bold('Linux')}  ${palette.red('unknown: its source failed (see degraded)')}`);
  }

  const rows: string[][] = [];
  const pressure = snapshot.pressure;
  if (pressure) {
    const some = pressure.some.avg10 >= 10 ? palette.yellow(pressureText(pressure.some)) : pressureText(pressure.some);
    rows.push([palette.bold('Pressure'), `some ${some}  full ${pressure.full ? pressureText(pressure.full) : '—'}  ${palette.dim('% of time stalled, avg 10s 60s 300s')}`]);
  }
  const vmstat = snapshot.vmstat;
  if (vmstat) {
    rows.push([
      palette.bold('Kernel'),
      `refaults ${count(vmstat.workingsetRefaultFile)} file, ${count(vmstat.workingsetRefaultAnon)} anon · major faults ${count(vmstat.pgmajfault)} · OOM kills ${count(vmstat.oomKill)} · pages reclaimed ${count(vmstat.pgsteal)} ${palette.dim('(since boot)')}`,
    ]);
  }
  const host = snapshot.host;
  if (host && snapshot.environment === 'linux') {
    rows.push([palette.bold('Host'), `this machine: ${formatBytes(host.available)} available of ${formatBytes(host.total)}`]);
  } else if (host) {
    const waste = wasteBytes(snapshot);
    const vmmem = host.vmmem === null ? 'vmmem not running' : `vmmem ${formatBytes(host.vmmem)}${waste === null ? '' : `, ${formatBytes(waste)} of it not used by Linux applications`}`;
    rows.push([palette.bold('Windows'), `${formatBytes(host.available)} available of ${formatBytes(host.total)} · ${vmmem}`]);
  }
  if (govd) rows.push([palette.bold('govd'), renderGovdSummary(govd.summary, palette, govd.now)]);
  if (rows.length > 0) lines.push('', formatTable(rows).trimEnd());
  if (snapshot.degraded.length > 0) {
    const width = Math.max(...snapshot.degraded.map((item) => item.source.length));
    lines.push('', palette.bold('Degraded'));
    for (const item of snapshot.degraded) lines.push(`  ${palette.yellow(item.source.padEnd(width))}  ${item.code}  ${item.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function toJson(snapshot: Snapshot, govd: GovdSummary) {
  const { at, environment, linux, pressure, vmstat, cpu, host, degraded } = snapshot;
  return { at, environment, linux, pressure, vmstat, cpu, host, degraded, govd };
}

/** `gov status`: builds the command around a snapshot reader (the real one by default). */
export function createStatusCommand(options: StatusCommandOptions = {}): Command {
  const read = options.readSnapshot ?? readRealSnapshot;
  const sleep = options.sleep ?? sleepUnlessAborted;
  const intervalMs = options.intervalMs ?? 1000;
  const readGovd = options.readGovd ?? readGovdSummary;
  const now = options.now ?? (() => new Date());
  return {
    spec: statusSpec,
    async run({ argv, io }: { argv: string[]; io: CliIo }) {
      const { values } = parseCommandArgs(argv, statusSpec, ['status']);
      const snapshotOptions: ReadSnapshotOptions = values.distro === undefined ? {} : { distro: values.distro };
      const palette = createPalette(io.stdout.isTTY, io.env);
      // Memory and govd at once: a govd that does not answer costs no extra wait.
      const frame = () => Promise.all([read(snapshotOptions), readGovd(io, values.config)]);
      if (!values.watch) {
        const [snapshot, govd] = await frame();
        io.stdout.write(values.json ? formatJson(toJson(snapshot, govd)) : renderStatus(snapshot, palette, { summary: govd, now: now() }));
        return snapshot.linux === null ? 1 : 0;
      }
      const inPlace = Boolean(io.stdout.isTTY) && !values.json;
      if (inPlace) io.stdout.write(HIDE_CURSOR);
      try {
        while (!io.signal.aborted) {
          const [snapshot, govd] = await frame();
          if (io.signal.aborted) break;
          if (values.json) io.stdout.write(`${JSON.stringify(toJson(snapshot, govd))}\n`);
          else io.stdout.write(`${inPlace ? REDRAW : ''}${renderStatus(snapshot, palette, { summary: govd, now: now() })}${inPlace ? palette.dim('\nCtrl-C to stop\n') : '\n'}`);
          await sleep(intervalMs, io.signal);
        }
      } finally {
        if (inPlace) io.stdout.write(SHOW_CURSOR);
      }
      return 0;
    },
  };
}

export const statusCommand = createStatusCommand();
