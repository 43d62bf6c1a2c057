import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInProcess, type InProcessDaemon } from './test-daemon.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

let home: string;
let govd: InProcessDaemon | undefined;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'govd-state-'));
});
afterEach(async () => {
  await govd?.cleanup();
  govd = undefined;
  await rm(home, { recursive: true, force: true });
});

describe('govd and its state directory', () => {
  it.runIf(asRoot)('refuses to start on a token another user planted, naming the path, the owner found and what is required', async () => {
    const stateDir = join(home, 'state');
    await mkdir(stateDir, { mode: 0o700 });
    await writeFile(join(stateDir, 'token'), 'the-attacker-knows-this-token\n', { mode: 0o600 });
    await chown(join(stateDir, 'token'), NOBODY, NOBODY);
    await expect(startInProcess('', { home, stateDir })).rejects.toMatchObject({
      name: 'StateDirError',
      code: 'GOV_DAEMON_STATE_DIR',
      message: `refusing the API token ${join(stateDir, 'token')}: it is owned by uid ${NOBODY} (mode 0600); it must be owned by uid 0, the user govd runs as`,
    });
  });

  it('refuses to start on a history file that is a symlink to another file, and leaves that file alone', async () => {
    const stateDir = join(home, 'state');
    await mkdir(stateDir, { mode: 0o700 });
    const victim = join(home, 'victim.conf');
    await writeFile(victim, 'precious\n');
    await symlink(victim, join(stateDir, 'history.jsonl'));
    await expect(startInProcess('', { home, stateDir })).rejects.toMatchObject({
      name: 'HistoryFileError',
      message: `cannot open the history file ${join(stateDir, 'history.jsonl')}: refusing the history file ${join(stateDir, 'history.jsonl')}: it is a symlink; govd never follows one in its state directory`,
    });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
  });

  it('tightens a token made readable by others while it runs, at the next tick', async () => {
    govd = await startInProcess('[governor]\ncheck_interval_secs = 1\n', { home });
    const token = join(govd.stateDir, 'token');
    await chmod(token, 0o644);
    const deadline = Date.now() + 10_000;
    while (((await stat(token)).mode & 0o777) !== 0o600 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    expect((await stat(token)).mode & 0o777).toBe(0o600);
    expect(govd.logs.filter((log) => log.level === 'warn').map((log) => log.message)).toContain(`the API token ${token} was readable by others; tightened it to 0600`);
  });
});
