import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunning, waitGone } from '../../../tools/test-support/processes.js';
import { createHelperSession, type HelperSession } from './helper-session.js';

// Real processes: a stand-in helper on PATH that behaves (or misbehaves) as each test says, and
// writes its pid and the pids of what it starts where the test can check them.
let dir: string;
let sessions: HelperSession[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-helper-session-'));
  sessions = [];
});
afterEach(async () => {
  await Promise.all(sessions.map((session) => session.close()));
  await rm(dir, { recursive: true, force: true });
});

/** Writes the stand-in `helper` (a shell script) and returns a session on it. */
async function helper(body: string, options: { maxOutputBytes?: number; killGraceMs?: number; restartDelayMs?: number } = {}): Promise<HelperSession> {
  await writeFile(join(dir, 'helper'), `#!/bin/sh\necho $$ >> '${dir}/starts'\n${body}\n`);
  await chmod(join(dir, 'helper'), 0o755);
  const session = createHelperSession({ file: 'helper', args: ['--fixed', 'argv'], endMarker: 'gov-end', env: { PATH: `${dir}:/usr/bin:/bin` }, killGraceMs: 300, ...options });
  sessions.push(session);
  return session;
}

const startsOf = async () => (existsSync(join(dir, 'starts')) ? (await readFile(join(dir, 'starts'), 'utf8')).trim().split('\n') : []);
const pidsIn = async (name: string) => (await readFile(join(dir, name), 'utf8')).trim().split(/\s+/).map(Number);

const answering = `while read -r cue; do echo 'line one'; printf 'line two\\r\\n'; echo gov-end; done`;

describe('createHelperSession', () => {
  it('answers every request from one helper process, started once', async () => {
    const session = await helper(answering);
    for (let request = 0; request < 120; request += 1) expect(await session.request(5000)).toEqual(['line one', 'line two']);
    expect([session.starts, (await startsOf()).length]).toEqual([1, 1]);
  });

  it('stops a helper that floods its output at the cap, and does not start it again at once', async () => {
    const session = await helper(`while read -r cue; do yes 'flood flood flood flood' | head -c 50000000; echo gov-end; done`, { maxOutputBytes: 64 * 1024, restartDelayMs: 200 });
    await expect(session.request(20_000)).rejects.toMatchObject({ name: 'ExecError', code: 'GOV_IO_EXEC_FAILED', message: `helper printed more than ${64 * 1024} bytes for one answer; stopped` });
    const [first] = (await startsOf()).map(Number);
    expect(await waitGone([first as number])).toEqual([]);
    // It never answered: the next request waits for the restart delay instead of a new flood.
    await expect(session.request(20_000)).rejects.toThrow(/^helper stopped 1 time\(s\) without answering; starting it again in 1 s$/);
    expect(session.starts).toBe(1);
    await new Promise((done) => setTimeout(done, 250));
    await expect(session.request(20_000)).rejects.toThrow('printed more than');
    expect(session.starts).toBe(2);
  });

  it('kills the whole process group of a helper that ignores SIGTERM, its children included', async () => {
    const session = await helper(`trap '' TERM; sh -c "trap '' TERM; sleep 600" & echo $! > '${dir}/children'; while read -r cue; do sleep 600; done`);
    await expect(session.request(500)).rejects.toMatchObject({ message: 'helper did not answer within 500 ms; stopped', signal: 'SIGTERM' });
    const pids = [...(await startsOf()).map(Number), ...(await pidsIn('children'))];
    expect(pids).toHaveLength(2);
    expect(await waitGone(pids)).toEqual([]);
  }, 30_000);

  it('never starts a second helper while the last one is still on its way out', async () => {
    const session = await helper(`trap '' TERM; while read -r cue; do sleep 600; done`, { killGraceMs: 1500, restartDelayMs: 0 });
    await expect(session.request(300)).rejects.toThrow('did not answer within 300 ms');
    // Within the grace the helper ignores SIGTERM and still runs: no new one.
    await expect(session.request(300)).rejects.toThrow('helper: the last helper is still on its way out; not starting another');
    expect([session.starts, (await startsOf()).length]).toEqual([1, 1]);
    expect(await waitGone((await startsOf()).map(Number))).toEqual([]);
    // Once SIGKILL took it, the next request starts one helper again.
    await waitUntil(async () => {
      await session.request(300).catch(() => undefined);
      return session.starts === 2;
    });
    expect((await startsOf()).length).toBe(2);
  }, 30_000);

  it('restarts a helper only when it dies, and waits longer each time it dies without answering', async () => {
    const once = await helper(`read -r cue; echo answer; echo gov-end; exit 0`);
    expect(await once.request(5000)).toEqual(['answer']);
    // It exited after answering: the next request starts it again at once.
    await waitUntil(async () => once.pid === null);
    expect(await once.request(5000)).toEqual(['answer']);
    expect(once.starts).toBe(2);

    const crashing = await helper(`exit 3`, { restartDelayMs: 60_000 });
    await expect(crashing.request(5000)).rejects.toThrow('helper exited with code 3 before it answered');
    await expect(crashing.request(5000)).rejects.toThrow(/^helper stopped 1 time\(s\) without answering; starting it again in (59|60) s$/);
    expect(crashing.starts).toBe(1);
  });

  it('says a helper that is not there could not start', async () => {
    const session = createHelperSession({ file: 'no-such-helper', args: [], endMarker: 'gov-end', env: { PATH: dir } });
    sessions.push(session);
    await expect(session.request(1000)).rejects.toMatchObject({ name: 'ExecError', errno: 'ENOENT', message: 'no-such-helper could not start (ENOENT)' });
  });

  it('close() stops the helper and resolves once it is gone; nothing is asked of a closed session', async () => {
    const session = await helper(`trap '' TERM; ${answering}`);
    await session.request(5000);
    const [pid] = (await startsOf()).map(Number);
    await session.close();
    expect(isRunning(pid as number)).toBe(false);
    await expect(session.request(1000)).rejects.toThrow('helper: the helper session is closed');
  });

  it('shares one answer between concurrent requests', async () => {
    const session = await helper(answering);
    const [first, second] = await Promise.all([session.request(5000), session.request(5000)]);
    expect([first, second, session.starts]).toEqual([['line one', 'line two'], ['line one', 'line two'], 1]);
  });
});

async function waitUntil(probe: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((done) => setTimeout(done, 50));
  }
}
