import type { HistoryFile } from '@gov/api/node';
import type { HistoryPort, HistoryRecord, Logger } from '@gov/policies';
import type { Telemetry } from './telemetry.js';

/**
 * govd's history: the file, with every action also marked in the telemetry chart, and daemon
 * events (`started`, `config-reloaded`, …) that are logged instead of thrown when the file fails.
 * Every line that cannot be written is counted (`onWriteFailure`) before the error goes on.
 */
export function createDaemonHistory(history: HistoryFile, options: { telemetry: Telemetry; logger: Logger; now: () => Date; onWriteFailure?: () => void }) {
  async function write(record: HistoryRecord): Promise<void> {
    try {
      await history.append(record);
    } catch (error) {
      options.onWriteFailure?.();
      throw error;
    }
  }
  const port: HistoryPort = {
    async append(record: HistoryRecord) {
      await write(record);
      if (record.kind === 'reclaim' || record.kind === 'pause-idle-containers' || record.kind === 'reclaim-idle-pods') {
        options.telemetry.recordAction({ at: record.at, kind: record.kind, method: record.kind === 'reclaim' ? record.method : null, freedBytes: record.freedBytes, dryRun: record.dryRun });
      }
    },
  };
  return {
    ...port,
    async event(event: string, message: string): Promise<void> {
      try {
        await write({ kind: 'event', at: options.now().toISOString(), event, message });
      } catch (error) {
        options.logger.error({ err: error }, (error as Error).message);
      }
    },
    read: history.read,
    setMaxBytes: history.setMaxBytes,
    close: history.close,
  };
}

export type DaemonHistory = ReturnType<typeof createDaemonHistory>;
