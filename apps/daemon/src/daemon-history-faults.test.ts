import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { formatHistoryLine, parseHistory } from '@gov/policies';
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcess, type InProcessDaemon } from './test-daemon.js';

let govd: InProcessDaemon | undefined;
afterEach(async () => {
  await govd?.cleanup();
  govd = undefined;
});

/** `node:fs/promises` whose history handle writes at most `room.bytes` more bytes, then fails with ENOSPC. */
function fullDiskFs(room: { bytes: number }): typeof nodeFs {
  return {
    ...nodeFs,
    async open(path: Parameters<typeof nodeFs.open>[0], flags?: Parameters<typeof nodeFs.open>[1], mode?: Parameters<typeof nodeFs.open>[2]) {
      const handle = await nodeFs.open(path, flags, mode);
      if (!String(path).endsWith('history.jsonl')) return handle;
      return new Proxy(handle, {
        get(target, property) {
          if (property === 'write') {
            return async (buffer: Buffer, offset: number, length: number) => {
              if (room.bytes <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
              const allowed = Math.min(length, room.bytes);
              room.bytes -= allowed;
              return target.write(buffer, offset, allowed);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  } as typeof nodeFs;
}

const metricLines = (text: string) => text.split('\n').filter((line) => line.startsWith('gov_history_'));

describe('govd on a full disk', () => {
  it('reports the history as degraded on /api/status and /metrics, and glues no later record to a fragment', async () => {
    const room = { bytes: 1024 * 1024 };
    govd = await startInProcess('', { fs: fullDiskFs(room) });
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
    govd = await startInProcess('', { fs: fullDiskFs(room) });
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
