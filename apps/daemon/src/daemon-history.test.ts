import type { HistoryFile } from '@gov/api/node';
import type { HistoryRecord, Logger } from '@gov/policies';
import { describe, expect, it } from 'vitest';
import { createDaemonHistory } from './daemon-history.js';
import { createTelemetry } from './telemetry.js';

const AT = new Date('2026-01-28T10:00:00.000Z');

function failingFile(): HistoryFile {
  const refuse = async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { append: refuse, read: async () => ({ records: [], skipped: 0 }), setMaxBytes: () => undefined, close: async () => undefined } as unknown as HistoryFile;
}

describe('createDaemonHistory', () => {
  it('counts every line it could not write: an action\'s error goes on to the Governor, an event\'s is logged', async () => {
    let failures = 0;
    const errors: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (_object, message) => errors.push(message ?? '') };
    const history = createDaemonHistory(failingFile(), { telemetry: createTelemetry(), logger, now: () => AT, onWriteFailure: () => (failures += 1) });
    const record: HistoryRecord = { kind: 'feedback', at: AT.toISOString(), feedback: 'ok', note: null };
    await expect(history.append(record)).rejects.toThrow('ENOSPC');
    await history.event('started', 'govd started');
    expect([failures, errors]).toEqual([2, ['ENOSPC: no space left on device, write']]);
  });
});
