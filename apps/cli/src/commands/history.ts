import { formatBytes, HISTORY_MAX_LIMIT, type HistoryRead } from '@gov/api';
import { createHistoryFile, historyMaxBytes, stateFiles } from '@gov/api/node';
import type { HistoryRecord } from '@gov/policies';
import { parseCommandArgs, parsePositiveInt } from '../args.js';
import { loadCliConfig, stateDirOf } from '../config-file.js';
import { connectGovd, type DaemonClientOptions } from '../daemon-client.js';
import { formatJson, formatTable } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { historySpec } from './specs.js';

const DEFAULT_LIMIT = 20;

/** Where the records came from: govd's API, or the files when govd is not running. */
export type HistorySource = { from: 'govd'; url: string } | { from: 'file'; path: string };

function what(record: HistoryRecord): string {
  switch (record.kind) {
    case 'reclaim':
      return `${record.method}${record.targetBytes === null ? '' : ` ${formatBytes(record.targetBytes)}`}`;
    case 'pause-idle-containers':
      return record.paused.length > 0 ? `paused ${record.paused.join(', ')}` : 'paused nothing';
    case 'reclaim-idle-pods':
      return record.reclaimed.length > 0 ? `page cache of ${record.reclaimed.join(', ')}` : 'no idle pod';
    case 'veto':
      return `${record.method} vetoed`;
    case 'error':
      return `${record.stage}: ${record.code}`;
    case 'feedback':
      return record.feedback;
    case 'event':
      return record.event;
  }
}

function detail(record: HistoryRecord): string {
  switch (record.kind) {
    case 'reclaim':
    case 'pause-idle-containers':
    case 'reclaim-idle-pods':
    case 'veto':
      return record.reason;
    case 'error':
    case 'event':
      return record.message;
    case 'feedback':
      return record.note ?? '';
  }
}

function freed(record: HistoryRecord): string {
  if (record.kind !== 'reclaim' && record.kind !== 'pause-idle-containers' && record.kind !== 'reclaim-idle-pods') return '';
  return record.dryRun ? 'dry run' : formatBytes(record.freedBytes);
}

/** One record in a line: `reclaim drop_caches, freed 1.20 GiB (policy dynamic)`. */
export function summariseRecord(record: HistoryRecord): string {
  const amount = freed(record);
  const policy = 'policy' in record ? ` (policy ${record.policy})` : '';
  return `${record.kind === 'reclaim' ? 'reclaim ' : ''}${what(record)}${amount === '' ? '' : amount === 'dry run' ? ', dry run' : `, freed ${amount}`}${policy}`;
}

/** The history as a table: newest last, as `tail` would show it. */
export function renderHistory(records: HistoryRecord[], skipped: number, source: HistorySource): string {
  const where = source.from === 'govd' ? `from govd at ${source.url}` : `from ${source.path} (govd is not running)`;
  const notes = [`${records.length} record${records.length === 1 ? '' : 's'} ${where}`];
  if (skipped > 0) notes.push(`${skipped} unreadable line${skipped === 1 ? '' : 's'} skipped`);
  if (records.length === 0) return `No history yet ${where}.\n`;
  const rows = [['TIME', 'KIND', 'POLICY', 'WHAT', 'FREED', 'DETAIL']];
  for (const record of records) {
    rows.push([record.at, record.kind, 'policy' in record ? record.policy : '', what(record), freed(record), detail(record)]);
  }
  return `${formatTable(rows)}${notes.join('; ')}\n`;
}

/** `gov history`: asks govd, or reads the history files itself when govd is not running. */
export function createHistoryCommand(options: DaemonClientOptions = {}): Command {
  return {
    spec: historySpec,
    async run({ argv, io }: { argv: string[]; io: CliIo }) {
      const { values } = parseCommandArgs(argv, historySpec, ['history']);
      const limit = Math.min(HISTORY_MAX_LIMIT, values.limit === undefined ? DEFAULT_LIMIT : parsePositiveInt(values.limit, '--limit'));
      const { config } = await loadCliConfig(io, values.config);
      const stateDir = stateDirOf(config, io);
      const govd = await connectGovd(config, stateDir, options);
      const answer = await govd.ask((client) => client.history({ limit }));
      let source: HistorySource;
      let result: HistoryRead;
      if (answer) {
        source = { from: 'govd', url: govd.url };
        result = answer;
      } else {
        const path = stateFiles(stateDir).history;
        source = { from: 'file', path };
        result = await createHistoryFile({ path, maxBytes: historyMaxBytes(config) }).read(limit);
      }
      io.stdout.write(values.json ? formatJson({ source, records: result.records, skipped: result.skipped }) : renderHistory(result.records, result.skipped, source));
      return 0;
    },
  };
}

export const historyCommand = createHistoryCommand();
