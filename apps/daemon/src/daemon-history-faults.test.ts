import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { formatHistoryLine, parseHistory } from '@gov/policies';
import { afterEach, describe, expect, it } from 'vitest';
import { fullDiskFs } from '../../../tools/test-support/full-disk.js';
import { startInProcess, type InProcessDaemon } from './test-daemon.js';

let govd: InProcessDaemon | undefined;
afterEach(async () => {
  await govd?.cleanup();
  govd = undefined;
});

const metricLines = (text: string) => text.split('\n').filter((line) => line.startsWith('gov_history_'));

describe('govd on a full disk', () => {
  it('reports the history as degraded on /api/status and /metrics, and glues no later record to a fragment', async () => {
    const room = { bytes: 1024 * 1024 };
    govd = await startInProcess('', { fs: fullDiskFs((path) => path.endsWith('history.jsonl'), room) });
    const feedback = (note: string) => fetch(`${govd?.base}/api/feedback`, { method: 'POST', headers: govd?.auth, body: JSON.stringify({ kind: 'ok', note }) });
    expect((await feedback('before')).status).toBe(200);
    room.bytes = 20;
    const failed = await feedback('while full');
    expect([failed.status, ((await failed.json()) as { error: { code: string } }).error.code]).toEqual([500, 'GOV_DAEMON_HISTORY']);
    const status = (await (await fetch(`${govd.base}/api/status`)).json()) as { history: unknown; degraded: unknown };
    const historyPath = join(govd.stateDir, 'history.jsonl');
    expect([status.history, status.degraded]).toEqual([
      { path: historyPath, writable: false, failures: 1, lastError: 'ENOSPC: no space left on device, write' },
      [{ source: 'history', code: 'GOV_DAEMON_HISTORY', message: 'ENOSPC: no space left on device, write' }],
    ]);
    expect(metricLines(await (await fetch(`${govd.base}/metrics`)).text())).toEqual(['gov_history_writable 0', 'gov_history_write_failures_total 1']);

    room.bytes = 1024 * 1024;
    expect((await feedback('after')).status).toBe(200);
    const text = await nodeFs.readFile(historyPath, 'utf8');
    const { records, skipped } = parseHistory(text);
    expect([skipped, records.map((record) => (record.kind === 'feedback' ? record.note : record.kind === 'event' ? record.event : record.kind))]).toEqual([0, ['started', 'before', 'after']]);
    expect(text.endsWith(formatHistoryLine(records.at(-1) as never))).toBe(true);
    const healed = (await (await fetch(`${govd.base}/api/status`)).json()) as { history: unknown; degraded: unknown };
    expect([healed.history, healed.degraded]).toEqual([{ path: historyPath, writable: true, failures: 1, lastError: null }, []]);
    expect(metricLines(await (await fetch(`${govd.base}/metrics`)).text())).toEqual(['gov_history_writable 1', 'gov_history_write_failures_total 1']);
  });

  it('answers an API reclaim whose record cannot be written with the result it ran', async () => {
    const room = { bytes: 1024 * 1024 };
    govd = await startInProcess('', { fs: fullDiskFs((path) => path.endsWith('history.jsonl'), room) });
    room.bytes = 0;
    const response = await fetch(`${govd.base}/api/reclaim`, { method: 'POST', headers: govd.auth, body: '{"method":"drop_caches"}' });
    const answer = (await response.json()) as { error: { code: string; message: string; details: { result: { method: string } } } };
    expect([response.status, answer.error.code, answer.error.message, answer.error.details.result.method]).toEqual([
      500,
      'GOV_DAEMON_HISTORY',
      `the reclaim ran, but its record could not be written: cannot append to the history file ${join(govd.stateDir, 'history.jsonl')}: ENOSPC: no space left on device, write`,
      'drop_caches',
    ]);
  });
});
