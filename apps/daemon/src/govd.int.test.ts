import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfigToml, parseHistory, type HistoryRecord } from '@gov/policies';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { EAGER_DRY_RUN, GOVD, assertBuilt, freePort, prepareConfig, startGovd, waitFor, type GovdProcess } from './govd-harness.js';

type ReclaimRecord = Extract<HistoryRecord, { kind: 'reclaim' }>;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function start(toml: string, options: Parameters<typeof startGovd>[1] = {}): Promise<GovdProcess> {
  const govd = await startGovd(toml, options);
  cleanups.push(() => govd.cleanup());
  return govd;
}

function metricLines(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix));
}

describe('govd, the built program', () => {
  it('logs pretty lines with --log-format pretty or daemon.log_format = "pretty", JSON otherwise (stdout is not a terminal)', async () => {
    const line = /^\d\d:\d\d:\d\d\.\d{3} INFO {2}govd listening {2}listen=127\.0\.0\.1:\d+ configPath=\S+ stateDir=\S+ policy=conservative dryRun=true$/m;
    const flagged = await start('[governor]\npolicy = "conservative"\n', { args: ['--dry-run', '--log-format', 'pretty'] });
    expect(await flagged.stop()).toEqual({ code: 0, signal: null });
    expect(flagged.stdout()).toMatch(line);
    expect(flagged.stdout()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}policy conservative, checked every 30 s; dry run \(--dry-run\): it decides and records, and changes nothing\. Control Center on http:\/\/127\.0\.0\.1:\d+\/ {2}acting=false$/m);
    expect(flagged.logLines()).toEqual([]);
    const configured = await start('[governor]\npolicy = "conservative"\n', { args: ['--dry-run'], daemonKeys: 'log_format = "pretty"\n' });
    expect(await configured.stop()).toEqual({ code: 0, signal: null });
    expect(configured.stdout()).toMatch(line);
    const plain = await start('[governor]\npolicy = "conservative"\n', { args: ['--dry-run'] });
    expect(await plain.stop()).toEqual({ code: 0, signal: null });
    expect(plain.logLines().find((record) => record['msg'] === 'govd listening')).toMatchObject({ level: 30, name: 'govd', policy: 'conservative', dryRun: true });
  });

  it('--dry-run decides and records but runs no reclaim step', async () => {
    const govd = await start(EAGER_DRY_RUN, { args: ['--dry-run'] });
    const actions = await waitFor('two dry-run reclaims in the history', async () => {
      const { records } = await govd.get<{ records: HistoryRecord[] }>('/api/history');
      const reclaims = records.filter((record): record is ReclaimRecord => record.kind === 'reclaim');
      return reclaims.length >= 2 ? reclaims : null;
    });
    for (const action of actions) {
      expect(action).toMatchObject({ kind: 'reclaim', policy: 'aggressive', code: 'host-pressure', dryRun: true, freedBytes: 0 });
      expect(action.steps.length).toBeGreaterThan(0);
      expect(action.steps.filter((step) => step.status !== 'skipped')).toEqual([]);
    }
    const metrics = await govd.get<string>('/metrics');
    expect(metricLines(metrics, 'gov_reclaims_total{').map((line) => line.replace(/ \d+$/, ''))).toEqual([`gov_reclaims_total{method="${actions[0]?.method}",trigger="governor",outcome="dry_run"}`]);
    expect(metricLines(metrics, 'gov_reclaim_freed_bytes_total{')).toEqual([`gov_reclaim_freed_bytes_total{method="${actions[0]?.method}"} 0`]);
    const status = await govd.get<{ dryRun: boolean; capabilities: { reclaim: string } }>('/api/status');
    expect(status).toMatchObject({ dryRun: true, capabilities: { reclaim: 'dry-run' } });
    expect(await govd.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('guards mutating routes with the 0600 token from the state directory', async () => {
    const govd = await start(EAGER_DRY_RUN, { args: ['--dry-run'] });
    expect((await stat(join(govd.stateDir, 'token'))).mode & 0o777).toBe(0o600);
    const anonymous = await fetch(`${govd.base}/api/reclaim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"method":"drop_caches"}' });
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { error: { code: 'GOV_HTTP_UNAUTHORIZED', message: 'this route needs "Authorization: Bearer <token>" with the token in the state directory' } }]);
    const wrong = await fetch(`${govd.base}/api/feedback`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{"kind":"slow"}' });
    expect(wrong.status).toBe(401);

    const auth = { 'content-type': 'application/json', authorization: `Bearer ${await govd.token()}` };
    const reclaim = await fetch(`${govd.base}/api/reclaim`, { method: 'POST', headers: auth, body: '{"method":"drop_caches","level":1}' });
    const result = (await reclaim.json()) as { method: string; dryRun: boolean; steps: { status: string }[] };
    expect([reclaim.status, result.method, result.dryRun, result.steps.every((step) => step.status === 'skipped')]).toEqual([200, 'drop_caches', true, true]);
    const feedback = await fetch(`${govd.base}/api/feedback`, { method: 'POST', headers: auth, body: '{"kind":"slow","note":"builds crawl"}' });
    expect([feedback.status, await feedback.json()]).toEqual([200, { recorded: { kind: 'feedback', feedback: 'slow', note: 'builds crawl' } }]);
    const badJson = await fetch(`${govd.base}/api/feedback`, { method: 'POST', headers: auth, body: '{"kind":' });
    expect(badJson.status).toBe(400);
    const huge = await fetch(`${govd.base}/api/feedback`, { method: 'POST', headers: auth, body: `{"kind":"ok","note":"${'x'.repeat(70_000)}"}` });
    expect(huge.status).toBe(413);

    const { records } = await govd.get<{ records: HistoryRecord[] }>('/api/history');
    expect(records.filter((record) => record.kind === 'feedback').map((record) => ({ ...record, at: 'at' }))).toEqual([{ kind: 'feedback', at: 'at', feedback: 'slow', note: 'builds crawl' }]);
    expect(records.some((record) => record.kind === 'reclaim' && record.code === 'api-request' && record.dryRun)).toBe(true);
    expect(metricLines(await govd.get<string>('/metrics'), 'gov_feedback_total{')).toEqual(['gov_feedback_total{kind="slow"} 1']);
  });

  it('serves the Control Center page and the config', async () => {
    const govd = await start(EAGER_DRY_RUN, { args: ['--dry-run'] });
    const page = await fetch(`${govd.base}/`);
    const html = await page.text();
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(html).toMatch(/^<!doctype html>/);
    // Self-contained: nothing is loaded from anywhere else.
    expect(html).not.toMatch(/(?:src|href)=["']?(?:https?:)?\/\//);
    const config = await govd.get<{ path: string; config: { governor: { policy: string } } }>('/api/config');
    expect(config.path).toBe(govd.configPath);
    expect(config.config).toEqual(parseConfigToml(await readFile(govd.configPath, 'utf8')));
  });

  it("runs the seed design's [wsl_governor] example unchanged", async () => {
    const seedExample = await readFile(new URL('../../../packages/policies/test/seed-wsl-governor.toml', import.meta.url), 'utf8');
    const govd = await start(seedExample, { args: ['--dry-run'] });
    const { config } = await govd.get<{ config: { governor: Record<string, unknown> & { dynamic: Record<string, unknown> }; docker: Record<string, unknown> } }>('/api/config');
    expect([config.governor['policy'], config.governor['check_interval_secs'], config.governor.dynamic['host_target_available_percent'], config.docker['auto_pause_idle_containers'], config.docker['idle_container_threshold_minutes']]).toEqual(['dynamic', 30, 25, true, 30]);
    const status = await govd.get<{ policy: string; ticks: number; lastDecision: { policy: string } | null }>('/api/status');
    expect(status.policy).toBe('dynamic');
    await waitFor('the first tick', async () => (await govd.get<{ ticks: number }>('/api/status')).ticks >= 1);
    expect(await govd.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('PUT /api/config validates, persists atomically and applies the config live', async () => {
    const govd = await start(EAGER_DRY_RUN, { args: ['--dry-run'] });
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${await govd.token()}` };
    const current = (await govd.get<{ config: Record<string, Record<string, unknown>> }>('/api/config')).config;
    const invalid = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: auth, body: JSON.stringify({ ...current, governor: { ...current['governor'], check_interval_secs: 0 } }) });
    const invalidBody = (await invalid.json()) as { error: { code: string; details: { path: string }[] } };
    expect([invalid.status, invalidBody.error.code, invalidBody.error.details.map((problem) => problem.path)]).toEqual([400, 'GOV_CONFIG_INVALID', ['governor.check_interval_secs']]);

    const next = { ...current, governor: { ...current['governor'], policy: 'conservative' } };
    const response = await fetch(`${govd.base}/api/config`, { method: 'PUT', headers: auth, body: JSON.stringify(next) });
    expect(response.status).toBe(200);
    expect(parseConfigToml(await readFile(govd.configPath, 'utf8')).governor.policy).toBe('conservative');
    expect((await govd.get<{ policy: string }>('/api/status')).policy).toBe('conservative');
  });

  it('SIGHUP reloads the config, refuses a bad one and keeps the old', async () => {
    const govd = await start(EAGER_DRY_RUN, { args: ['--dry-run'] });
    const original = await readFile(govd.configPath, 'utf8');
    await writeFile(govd.configPath, original.replace('policy = "aggressive"', 'policy = "whenever"'));
    govd.child.kill('SIGHUP');
    const refused = await waitFor('the refused reload in the log', async () => govd.logLines().find((line) => String(line['msg']).startsWith('config reload refused')));
    expect(refused['msg']).toContain('governor.policy');
    expect((await govd.get<{ policy: string }>('/api/status')).policy).toBe('aggressive');

    await writeFile(govd.configPath, original.replace('policy = "aggressive"', 'policy = "scheduled"'));
    govd.child.kill('SIGHUP');
    await waitFor('the reloaded policy', async () => (await govd.get<{ policy: string }>('/api/status')).policy === 'scheduled');
    const { records } = await govd.get<{ records: HistoryRecord[] }>('/api/history');
    expect(records.filter((record) => record.kind === 'event').map((record) => record.kind === 'event' && record.event)).toEqual(['started', 'config-refused', 'config-reloaded']);
    expect(await govd.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('kill -9 mid-run loses no complete history line, and the next start reads it all', async () => {
    const govd = await start(EAGER_DRY_RUN, { args: ['--dry-run'] });
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${await govd.token()}` };
    await waitFor('some history', async () => (await govd.get<{ records: unknown[] }>('/api/history')).records.length >= 3);
    // Keep appends going while the process is killed.
    let acknowledged = 0;
    const load = Array.from({ length: 4 }, async () => {
      for (;;) {
        const response = await fetch(`${govd.base}/api/feedback`, { method: 'POST', headers: auth, body: '{"kind":"ok"}' }).catch(() => null);
        if (!response) return;
        if (response.ok) acknowledged += 1;
      }
    });
    await waitFor('appends under way', async () => acknowledged >= 20);
    const acknowledgedBeforeKill = acknowledged;
    expect(await govd.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await Promise.all(load);

    const text = await readFile(join(govd.stateDir, 'history.jsonl'), 'utf8');
    // The last element is '' after a final newline, or the line the kill tore: drop either.
    const complete = text.split('\n').slice(0, -1);
    const parsed = parseHistory(complete.join('\n'));
    expect(parsed.skipped).toBe(0);
    expect(parsed.records).toHaveLength(complete.length);
    // Every feedback the API acknowledged had been fsync'd before the answer.
    expect(parsed.records.filter((record) => record.kind === 'feedback').length).toBeGreaterThanOrEqual(acknowledgedBeforeKill);

    const again = await start(EAGER_DRY_RUN, { args: ['--dry-run'], dir: govd.dir, port: await freePort() });
    const after = await again.get<{ records: HistoryRecord[]; skipped: number }>('/api/history?limit=10000');
    expect(after.skipped).toBeLessThanOrEqual(1);
    expect(after.records.slice(0, parsed.records.length)).toEqual(parsed.records);
    expect(after.records.some((record, index) => index >= parsed.records.length && record.kind === 'event' && record.event === 'started')).toBe(true);
  });

  it('exits 2 on a bad config, naming every bad key, and starts nothing', async () => {
    assertBuilt();
    const { dir, stateDir, configPath, port } = await prepareConfig('[governor]\ncheck_interval_secs = 0\npolcy = "dynamic"\n\n[governor.dynamic]\nmin_waste_mb = -5\n');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const result = spawnSync(process.execPath, [GOVD, '--config', configPath], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      [
        `govd: invalid config ${configPath}:`,
        '  governor.check_interval_secs: 0 is below the minimum 1',
        '  governor.dynamic.min_waste_mb: -5 is below the minimum 0',
        '  governor.polcy: unknown key; did you mean "policy"?',
        '',
      ].join('\n'),
    );
    expect(existsSync(stateDir)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/api/status`)).rejects.toThrow();
  });

  it('--help and --version answer and exit 0; an unknown flag (with a did-you-mean) or a missing --config file exits 2', () => {
    assertBuilt();
    const help = spawnSync(process.execPath, [GOVD, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect([help.status, help.stdout.split('\n').slice(0, 4)]).toEqual([0, ['govd — the gov memory governor daemon', '', 'Usage: govd [--config PATH] [--dry-run] [--log-format auto|json|pretty]', '            [--version] [--help]']]);
    const version = spawnSync(process.execPath, [GOVD, '--version'], { encoding: 'utf8', timeout: 30_000 });
    expect([version.status, version.stdout, version.stderr]).toEqual([0, `${packageJson.version}\n`, '']);
    const usage = 'usage: govd [--config PATH] [--dry-run] [--log-format auto|json|pretty] [--version] [--help]\n';
    const flag = spawnSync(process.execPath, [GOVD, '--bogus'], { encoding: 'utf8', timeout: 30_000 });
    expect([flag.status, flag.stderr]).toEqual([2, `govd: unknown option --bogus\n${usage}`]);
    const typo = spawnSync(process.execPath, [GOVD, '--dryrun'], { encoding: 'utf8', timeout: 30_000 });
    expect([typo.status, typo.stdout, typo.stderr]).toEqual([2, '', `govd: unknown option --dryrun; did you mean --dry-run?\n${usage}`]);
    const missing = spawnSync(process.execPath, [GOVD, '--config', '/nonexistent/gov.toml'], { encoding: 'utf8', timeout: 30_000 });
    expect([missing.status, missing.stderr]).toEqual([2, 'govd: config file /nonexistent/gov.toml does not exist\n']);
  });
});
