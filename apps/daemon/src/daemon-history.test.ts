import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHistoryFile } from '@gov/api/node';
import type { HistoryRecord, Logger } from '@gov/policies';
import { afterEach, describe, expect, it } from 'vitest';
import { fullDiskFs } from '../../../tools/test-support/full-disk.js';
import { createDaemonHistory } from './daemon-history.js';
import { createTelemetry } from './telemetry.js';

const AT = new Date('2026-01-28T10:00:00.000Z');

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('createDaemonHistory', () => {
  it('counts every line it could not write: an action\'s error goes on to the Governor, an event\'s is logged', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-daemon-history-'));
    const full = createHistoryFile({ path: join(dir, 'history.jsonl'), maxBytes: 1024 * 1024, fs: fullDiskFs(() => true, { bytes: 0 }) });
    const errors: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (_object, message) => errors.push(message ?? '') };
    const history = createDaemonHistory(full, { telemetry: createTelemetry(), logger, now: () => AT });
    const record: HistoryRecord = { kind: 'feedback', at: AT.toISOString(), feedback: 'ok', note: null };
    await expect(history.append(record)).rejects.toThrow('ENOSPC');
    await history.event('started', 'govd started');
    expect([history.writeStatus(), errors]).toEqual([
      { writable: false, failures: 2, lastError: 'ENOSPC: no space left on device, write' },
      [`cannot append to the history file ${join(dir, 'history.jsonl')}: ENOSPC: no space left on device, write`],
    ]);
    await history.close();
  });
});
