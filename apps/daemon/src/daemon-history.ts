import type { HistoryFile } from '@gov/api/node';
import type { HistoryPort, HistoryRecord, Logger } from '@gov/policies';
import type { Telemetry } from './telemetry.js';

/** An event's message is cut here, far below the line length the history reads back. */
const MAX_EVENT_MESSAGE_CHARS = 8192;

/**
 * govd's history: the file, with every action also marked in the telemetry chart, and daemon
 * events (`started`, `config-reloaded`, …) that are logged instead of thrown when the file fails.
 * The file counts every append that fails (`writeStatus()`), events included; the metrics read it.
 */
export function createDaemonHistory(history: HistoryFile, options: { telemetry: Telemetry; logger: Logger; now: () => Date }) {
  const port: HistoryPort = {
    async append(record: HistoryRecord) {
      await history.append(record);
      if (record.kind === 'reclaim' || record.kind === 'pause-idle-containers' || record.kind === 'reclaim-idle-pods') {
        options.telemetry.recordAction({ at: record.at, kind: record.kind, method: record.kind === 'reclaim' ? record.method : null, freedBytes: record.freedBytes, dryRun: record.dryRun });
      }
    },
  };
  return {
    ...port,
    async event(event: string, message: string): Promise<void> {
      try {
        await port.append({ kind: 'event', at: options.now().toISOString(), event, message: message.length > MAX_EVENT_MESSAGE_CHARS ? `${message.slice(0, MAX_EVENT_MESSAGE_CHARS)}…` : message });
      } catch (error) {
        options.logger.error({ err: error }, (error as Error).message);
      }
    },
    read: history.read,
    open: history.open,
    writeStatus: history.writeStatus,
    setMaxBytes: history.setMaxBytes,
    close: history.close,
  };
}

export type DaemonHistory = ReturnType<typeof createDaemonHistory>;
