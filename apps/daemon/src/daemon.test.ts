import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '@gov/meminfo';
import { parseConfigToml, parseHistory } from '@gov/policies';
import type { ReclaimRequest, ReclaimResult } from '@gov/reclaimer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerError, type PauseDecision, type PauseOneOptions } from '@gov/docker';
import type { DaemonContainers } from './container-listing.js';
import { startDaemon, type Daemon } from './daemon.js';
import { freePort } from './govd-harness.js';
import { collectingLogger, fakeReclaimResult, quietSnapshot } from './test-daemon.js';

const NOW = new Date('2026-01-28T10:00:00.000Z');

const snapshot: Snapshot = { ...quietSnapshot(NOW), degraded: [{ source: 'pressure', code: 'GOV_MEMINFO_UNAVAILABLE', message: 'no PSI' }] };

let home: string;
let daemon: Daemon | undefined;
const { logs, logger } = collectingLogger();
const requests: ReclaimRequest[] = [];
const reclaimer = {
  async reclaim(request: ReclaimRequest): Promise<ReclaimResult> {
    requests.push(request);
    return fakeReclaimResult(request);
  },
};

async function start(toml: string, options: { path?: string | null; dryRun?: boolean; isRoot?: boolean; neural?: boolean; env?: Record<string, string>; containers?: DaemonContainers } = {}) {
  const port = await freePort();
  const text = `${toml}\n[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(join(home, 'state'))}\n`;
  const path = options.path === null ? null : (options.path ?? join(home, 'config.toml'));
  if (path) await writeFile(path, text);
  daemon = await startDaemon({
    loaded: { config: parseConfigToml(text), path },
    flagPath: path,
    dryRun: options.dryRun ?? false,
    env: options.env ?? {},
    home,
    logger,
    version: '1.2.3',
    pid: 4242,
    isRoot: options.isRoot ?? true,
    source: { readSnapshot: async () => snapshot },
    reclaimer,
    containers: options.containers ?? { pauseIdle: async () => ({ paused: [], freedBytes: 0 }) },
    // The neural advisor (model in state_dir) only when a test asks for it.
    ...(options.neural ? {} : { advisor: null }),
    now: () => NOW,
  });
  const base = `http://127.0.0.1:${port}`;
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${daemon.token}` };
  // start() runs the first tick at once; the next is 30 s away.
  while (daemon.governor.lastTick === null) await new Promise((done) => setTimeout(done, 5));
  return { base, auth, port };
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'govd-daemon-'));
  logs.length = 0;
  requests.length = 0;
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await rm(home, { recursive: true, force: true });
});

describe('startDaemon', () => {
  it('keeps its state where systemd says ($STATE_DIRECTORY), and says on start what it runs and whether it acts', async () => {
    const { base, port } = await start('[governor]\npolicy = "aggressive"\n', { isRoot: false, env: { STATE_DIRECTORY: join(home, 'systemd-state') } });
    const status = (await (await fetch(`${base}/api/status`)).json()) as Record<string, unknown>;
    expect(status['stateDir']).toBe(join(home, 'systemd-state'));
    expect(await readFile(join(home, 'systemd-state', 'token'), 'utf8')).toBe(`${daemon?.token}\n`);
    expect(logs.find((log) => log.message?.startsWith('policy '))).toEqual({
      level: 'info',
      object: { acting: false },
      message: `policy aggressive, checked every 30 s; not root, so every reclaim it decides will fail: run it as root to act, or with --dry-run to watch. Control Center on http://127.0.0.1:${port}/`,
    });
  });

  it('answers /api/status with the snapshot, the last decision, capabilities and the telemetry status', async () => {
    const { base, port } = await start('[governor]\npolicy = "conservative"\n', { isRoot: false });
    const status = (await (await fetch(`${base}/api/status`)).json()) as Record<string, unknown>;
    expect({ ...status, telemetry: undefined }).toEqual({
      version: '1.2.3',
      pid: 4242,
      startedAt: NOW.toISOString(),
      uptimeMs: 0,
      dryRun: false,
      enabled: true,
      policy: 'conservative',
      checkIntervalSecs: 30,
      configPath: join(home, 'config.toml'),
      stateDir: join(home, 'state'),
      listen: `127.0.0.1:${port}`,
      ticks: 1,
      snapshot,
      lastDecision: { kind: 'none', policy: 'conservative', code: 'host-ok', reason: expect.any(String) },
      lastTick: { at: NOW.toISOString(), durationMs: 0, dryRun: false, errors: [] },
      capabilities: { environment: 'linux', linuxMemory: true, pressure: true, vmstat: false, hostMemory: true, reclaim: 'needs-root', docker: { autoPause: false, available: null, error: null }, advisor: 'none' },
      degraded: snapshot.degraded,
      history: { path: join(home, 'state', 'history.jsonl'), writable: true, failures: 0, lastError: null },
      telemetry: undefined,
    });
    expect((status['telemetry'] as { buffers: { points: { count: number } } }).buffers.points.count).toBe(1);
  });

  it('answers the probes: live once the loop has ticked, not ready while a source fails', async () => {
    const { base } = await start('');
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok', ticks: 1, lastTickAt: NOW.toISOString(), ageSeconds: 0, maxAgeSeconds: 120 }]);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'degraded', snapshotAt: NOW.toISOString(), failing: snapshot.degraded }]);
  });

  it('runs POST /api/reclaim, records it in history and metrics, and forces a dry run on a dry-run daemon', async () => {
    const { base, auth } = await start('[governor]\npolicy = "conservative"\n', { dryRun: true });
    const response = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: auth, body: '{"method":"drop_caches","level":1}' });
    expect(response.status).toBe(200);
    expect(requests).toEqual([{ method: 'drop_caches', level: 1, dryRun: true }]);
    const { records } = (await (await fetch(`${base}/api/history`)).json()) as { records: Array<Record<string, unknown>> };
    expect(records.at(-1)).toEqual({ kind: 'reclaim', at: NOW.toISOString(), policy: 'conservative', code: 'api-request', reason: 'requested through POST /api/reclaim', method: 'drop_caches', targetBytes: null, freedBytes: 0, freedMeasure: 'machine', durationMs: 3, dryRun: true, steps: [{ name: 'drop_caches', status: 'skipped', durationMs: 3 }], advice: null });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics.split('\n').filter((line) => line.startsWith('gov_reclaims_total{'))).toEqual(['gov_reclaims_total{method="drop_caches",trigger="api",outcome="dry_run"} 1']);
  });

  it('refuses a reclaim body of the wrong shape with 400 and every problem', async () => {
    const { base, auth } = await start('');
    const response = await fetch(`${base}/api/reclaim`, { method: 'POST', headers: auth, body: '{"method":"rm -rf /","level":7}' });
    const body = (await response.json()) as { error: { code: string; details: { path: string }[] } };
    expect([response.status, body.error.code, body.error.details.map((problem) => problem.path)]).toEqual([400, 'GOV_HTTP_INVALID_BODY', ['method', 'level']]);
    expect(requests).toEqual([]);
  });

  it('runs the neural advisor as [governor.learning] says: min_samples from the config, or none when disabled', async () => {
    const capability = async (base: string) => ((await (await fetch(`${base}/api/status`)).json()) as { capabilities: { advisor: string } }).capabilities.advisor;
    const first = await start('[governor.learning]\nmin_samples = 0\n', { neural: true });
    expect(await capability(first.base)).toBe('advising');
    await daemon?.stop();
    const second = await start('[governor.learning]\nmin_samples = 5\n', { neural: true });
    expect(await capability(second.base)).toBe('observing');
    await daemon?.stop();
    const third = await start('[governor.learning]\nenabled = false\n', { neural: true });
    expect(await capability(third.base)).toBe('none');
  });

  it('POST /api/learn/reset starts the advisor over and deletes its model; 409 without an advisor', async () => {
    const { base, auth } = await start('', { neural: true });
    const path = join(home, 'state', 'neural-model.json');
    await writeFile(path, '{"format":"gov-neural-model"}');
    const response = await fetch(`${base}/api/learn/reset`, { method: 'POST', headers: auth });
    expect([response.status, await response.json()]).toEqual([200, { reset: true, model: path, removed: true }]);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(parseHistory(await readFile(join(home, 'state', 'history.jsonl'), 'utf8')).records.map((record) => (record.kind === 'event' ? record.event : record.kind))).toContain('learn-reset');
    await daemon?.stop();
    const without = await start('');
    const refused = await fetch(`${without.base}/api/learn/reset`, { method: 'POST', headers: without.auth });
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([409, 'GOV_HTTP_NO_ADVISOR']);
  });

  it('PUT /api/config on built-in defaults writes ~/.config/gov/config.toml and names keys that need a restart', async () => {
    const { base, auth, port } = await start('', { path: null });
    const config = parseConfigToml(`[governor]\npolicy = "scheduled"\n[daemon]\nlisten = "127.0.0.1:${port === 65535 ? 65534 : port + 1}"\nstate_dir = ${JSON.stringify(join(home, 'state'))}\n`);
    const response = await fetch(`${base}/api/config`, { method: 'PUT', headers: auth, body: JSON.stringify(config) });
    const path = join(home, '.config', 'gov', 'config.toml');
    expect([response.status, await response.json()]).toEqual([200, { path, config, restartRequired: ['daemon.listen'], write: { mode: 'created', changed: ['governor.policy', 'daemon.listen'], backupPath: null } }]);
    expect(parseConfigToml(await readFile(path, 'utf8'))).toEqual(config);
    expect(daemon?.governor.config.governor.policy).toBe('scheduled');
  });

  it('PUT /api/config of a JSON config changes only the changed keys\' lines of the file, comments kept; GET shows the text', async () => {
    const { base, auth } = await start('# my settings\n[governor]\npolicy = "conservative" # quiet machine\n');
    const path = join(home, 'config.toml');
    const before = await readFile(path, 'utf8');
    const current = (await (await fetch(`${base}/api/config`)).json()) as { text: string; config: { governor: { policy: string; linux_min_mb: number } } };
    expect(current.text).toBe(before);
    const next = structuredClone(current.config);
    next.governor.policy = 'aggressive';
    next.governor.linux_min_mb = 1024;
    const response = await fetch(`${base}/api/config`, { method: 'PUT', headers: auth, body: JSON.stringify(next) });
    expect([response.status, ((await response.json()) as { write: unknown }).write]).toEqual([200, { mode: 'patched', changed: ['governor.policy', 'governor.linux_min_mb'], backupPath: null }]);
    expect(await readFile(path, 'utf8')).toBe(before.replace('policy = "conservative" # quiet machine', 'policy = "aggressive" # quiet machine\nlinux_min_mb = 1024'));
    expect(daemon?.governor.config.governor.policy).toBe('aggressive');
    const { records } = parseHistory(await readFile(join(home, 'state', 'history.jsonl'), 'utf8'));
    expect(records.filter((record) => record.kind === 'event' && record.event === 'config-updated').map((record) => (record as { message: string }).message)).toEqual([
      `config updated through PUT /api/config (governor.policy, governor.linux_min_mb): changed only their lines in ${path}`,
    ]);
  });

  it('POST /api/containers/pause passes the config\'s guards, records the pause, and answers a refusal with 409 and the guard', async () => {
    const asked: Array<[string, PauseOneOptions]> = [];
    const decision: PauseDecision = { id: 'a'.repeat(64), name: 'web', action: 'would-pause', guard: null, reason: 'asked for by name', memoryBefore: null, memoryAfter: null, freedBytes: 0, reclaim: null };
    const containers: DaemonContainers = {
      pauseIdle: async () => ({ paused: [], freedBytes: 0 }),
      pause: async (name, options) => {
        asked.push([name, options]);
        if (name === 'db') throw new DockerError('db is not paused: its name matches the deny pattern "db*"', { code: 'GOV_DOCKER_GUARDED', guard: 'deny' });
        return decision;
      },
      unpause: async () => ({ id: 'a'.repeat(64), name: 'web', action: 'unpaused', pausedByGov: true }),
    };
    const { base, auth } = await start('[docker]\ndeny = ["db*"]\n', { dryRun: true, containers });
    const paused = await fetch(`${base}/api/containers/pause`, { method: 'POST', headers: auth, body: '{"name":"web"}' });
    expect([paused.status, await paused.json()]).toEqual([200, decision]);
    const refused = await fetch(`${base}/api/containers/pause`, { method: 'POST', headers: auth, body: '{"name":"db"}' });
    expect([refused.status, await refused.json()]).toEqual([409, { error: { code: 'GOV_DOCKER_GUARDED', message: 'db is not paused: its name matches the deny pattern "db*"', details: { guard: 'deny' } } }]);
    expect(asked).toEqual([
      ['web', { allow: [], deny: ['db*'], dryRun: true }],
      ['db', { allow: [], deny: ['db*'], dryRun: true }],
    ]);
    // A dry-run govd changes nothing, unpausing included.
    const unpause = await fetch(`${base}/api/containers/unpause`, { method: 'POST', headers: auth, body: '{"name":"web"}' });
    expect([unpause.status, ((await unpause.json()) as { error: { code: string } }).error.code]).toEqual([409, 'GOV_HTTP_DRY_RUN']);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics.split('\n').filter((line) => line.startsWith('gov_reclaims_total{method="pause_idle_containers"'))).toEqual(['gov_reclaims_total{method="pause_idle_containers",trigger="api",outcome="dry_run"} 1']);
    const { records } = parseHistory(await readFile(join(home, 'state', 'history.jsonl'), 'utf8'));
    expect(records.filter((record) => record.kind === 'pause-idle-containers')).toEqual([
      { kind: 'pause-idle-containers', at: NOW.toISOString(), policy: 'dynamic', code: 'api-request', reason: 'web paused through POST /api/containers/pause', paused: ['web'], freedBytes: 0, durationMs: 0, dryRun: true },
    ]);
  });

  it('GET /api/config/schema is the config\'s JSON Schema', async () => {
    const { base } = await start('');
    const schema = (await (await fetch(`${base}/api/config/schema`)).json()) as { title: string; properties: { governor: { properties: { policy: { enum: string[] } } } } };
    expect([schema.title, schema.properties.governor.properties.policy.enum]).toEqual(['gov config', ['dynamic', 'aggressive', 'conservative', 'scheduled']]);
  });

  it('PUT /api/config takes TOML too, and refuses an invalid one without touching the file', async () => {
    const { base, auth } = await start('[governor]\npolicy = "conservative"\n');
    const before = await readFile(join(home, 'config.toml'), 'utf8');
    const invalid = await fetch(`${base}/api/config`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/toml' }, body: '[governor]\npolicy = "sometimes"\n' });
    expect([invalid.status, ((await invalid.json()) as { error: { code: string } }).error.code]).toEqual([400, 'GOV_CONFIG_INVALID']);
    expect(await readFile(join(home, 'config.toml'), 'utf8')).toBe(before);
    const unsupported = await fetch(`${base}/api/config`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/yaml' }, body: 'governor: {}' });
    expect(unsupported.status).toBe(415);
  });

  it('reload keeps the running config when the file went bad, and takes a good one', async () => {
    await start('[governor]\npolicy = "conservative"\n');
    const path = join(home, 'config.toml');
    const good = await readFile(path, 'utf8');
    await writeFile(path, good.replace('"conservative"', '"sometimes"'));
    expect(await daemon?.reload()).toBe(false);
    expect(daemon?.governor.config.governor.policy).toBe('conservative');
    expect(logs.filter((log) => log.level === 'error').map((log) => log.message)).toEqual([
      `config reload refused, keeping the running config: invalid config ${path}:\n  governor.policy: "sometimes" is not one of "dynamic", "aggressive", "conservative", "scheduled"`,
    ]);
    await writeFile(path, good.replace('"conservative"', '"aggressive"'));
    expect(await daemon?.reload()).toBe(true);
    expect(daemon?.governor.config.governor.policy).toBe('aggressive');
  });

  it('stop records the stop and closes the API', async () => {
    const { base } = await start('');
    await daemon?.stop();
    await expect(fetch(`${base}/api/status`)).rejects.toThrow();
    const { records, skipped } = parseHistory(await readFile(join(home, 'state', 'history.jsonl'), 'utf8'));
    expect([skipped, records.map((record) => (record.kind === 'event' ? record.event : record.kind))]).toEqual([0, ['started', 'stopped']]);
  });

  it('refuses to start on a port already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as { port: number };
    await mkdir(join(home, 'state'), { recursive: true });
    const text = `[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(join(home, 'state'))}\n`;
    await expect(
      startDaemon({ loaded: { config: parseConfigToml(text), path: null }, flagPath: null, dryRun: false, env: {}, home, logger, version: '1.2.3', pid: 1, isRoot: true, source: { readSnapshot: async () => snapshot }, reclaimer, advisor: null }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await new Promise((done) => blocker.close(done));
  });
});
