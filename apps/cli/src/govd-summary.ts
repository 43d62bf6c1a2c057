import { formatDuration, type StatusResponse } from '@gov/api';
import { createHistoryFile, historyMaxBytes, stateFiles } from '@gov/api/node';
import type { HistoryRecord } from '@gov/policies';
import { summariseRecord } from './commands/history.js';
import { chosenStateDir, loadCliConfig } from './config-file.js';
import { connectGovd, type DaemonClientOptions } from './daemon-client.js';
import type { Palette } from './format.js';
import type { CliIo } from './io.js';

/** How many of the latest history records are searched for the last action. */
const LAST_ACTION_WINDOW = 200;

/** What `gov status` says of govd: running or not, its policy, and the last thing it did. */
export type GovdSummary =
  | {
      running: true;
      url: string;
      version: string;
      pid: number;
      uptimeMs: number;
      policy: StatusResponse['policy'];
      enabled: boolean;
      dryRun: boolean;
      reclaim: StatusResponse['capabilities']['reclaim'];
      lastAction: HistoryRecord | null;
    }
  | { running: false; url: string; history: string; lastAction: HistoryRecord | null }
  | { running: null; error: string };

function lastAction(records: readonly HistoryRecord[]): HistoryRecord | null {
  return records.findLast((record) => record.kind === 'reclaim' || record.kind === 'pause-idle-containers' || record.kind === 'reclaim-idle-pods') ?? null;
}

/**
 * Asks the govd the config names for its status and recent history; when none answers, reads
 * the history file it leaves behind. A config that cannot be read is reported, not thrown, so
 * `gov status` still shows the memory — except one named by `--config`, which must exist.
 */
export async function readGovdSummary(io: CliIo, configFlag: string | undefined, options: DaemonClientOptions = {}): Promise<GovdSummary> {
  let loaded;
  try {
    loaded = await loadCliConfig(io, configFlag);
  } catch (error) {
    if (configFlag !== undefined) throw error;
    return { running: null, error: (error as Error).message };
  }
  const stateDir = chosenStateDir(undefined, loaded.config, io);
  const govd = await connectGovd(loaded.config, stateDir, options);
  const status = await govd.ask((client) => client.status()).catch(() => null);
  if (status) {
    const history = await govd.ask((client) => client.history({ limit: LAST_ACTION_WINDOW })).catch(() => null);
    return { running: true, url: govd.url, version: status.version, pid: status.pid, uptimeMs: status.uptimeMs, policy: status.policy, enabled: status.enabled, dryRun: status.dryRun, reclaim: status.capabilities.reclaim, lastAction: history ? lastAction(history.records) : null };
  }
  const path = stateFiles(stateDir).history;
  const read = await createHistoryFile({ path, maxBytes: historyMaxBytes(loaded.config) })
    .read(LAST_ACTION_WINDOW)
    .catch(() => ({ records: [] }));
  return { running: false, url: govd.url, history: path, lastAction: lastAction(read.records) };
}

function describeLast(record: HistoryRecord | null, now: Date): string {
  if (!record) return 'no action recorded yet';
  const ago = now.getTime() - Date.parse(record.at);
  return `last action ${Number.isFinite(ago) && ago >= 0 ? `${formatDuration(ago)} ago` : `at ${record.at}`}: ${summariseRecord(record)}`;
}

/** The govd row of `gov status`. */
export function renderGovdSummary(summary: GovdSummary, palette: Palette, now: Date): string {
  if (summary.running === null) return palette.yellow(`unknown: ${summary.error}`);
  if (!summary.running) return `${palette.yellow('not running')} (nothing answers at ${summary.url}) · ${describeLast(summary.lastAction, now)}`;
  const acting = !summary.enabled ? palette.yellow('governor disabled') : summary.dryRun ? palette.yellow('dry run: changes nothing') : summary.reclaim === 'needs-root' ? palette.red('not root: reclaims fail') : palette.green('acting');
  return `${palette.green('running')} at ${summary.url} (${summary.version}, pid ${summary.pid}, up ${formatDuration(summary.uptimeMs)}) · policy ${summary.policy}, ${acting} · ${describeLast(summary.lastAction, now)}`;
}
