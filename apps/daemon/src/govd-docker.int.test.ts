import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ContainersResponse } from '@gov/api';
import type { HistoryRecord } from '@gov/policies';
import { describeWithDocker, dockerCli, removeContainers, startContainer } from '../../../tools/test-support/docker.js';
import { eagerConfig, startGovd, waitFor, type GovdProcess } from './govd-harness.js';

type PauseRecord = Extract<HistoryRecord, { kind: 'pause-idle-containers' }>;

describeWithDocker('govd with the real Docker engine', () => {
  const name = `govd-idle-${process.pid}`;
  let govd: GovdProcess | undefined;

  beforeAll(() => {
    startContainer({ name, command: ['sleep', '3600'] });
  });

  afterAll(async () => {
    await govd?.cleanup();
    removeContainers(name);
  });

  it('samples containers every tick and, once one has idled for the threshold, pauses it (dry run)', async () => {
    // Reclaims are held back by the 30 s interval after the first; in between the policy turns to
    // pausing idle containers. `allow` keeps every other container on this machine out of it.
    govd = await startGovd(
      eagerConfig({
        intervalSecs: 30,
        extra: `
[docker]
auto_pause_idle_containers = true
idle_container_threshold_minutes = 1
allow = [${JSON.stringify(name)}]
`,
      }),
      { args: ['--dry-run'] },
    );
    const pause = await waitFor(
      `a dry-run pause of ${name}`,
      async () => {
        const { records } = await govd!.get<{ records: HistoryRecord[] }>('/api/history?limit=1000');
        return records.find((record): record is PauseRecord => record.kind === 'pause-idle-containers' && record.paused.includes(name));
      },
      110_000,
      1000,
    );
    expect(pause).toMatchObject({ kind: 'pause-idle-containers', policy: 'aggressive', dryRun: true, paused: [name] });
    const status = await govd.get<{ capabilities: { docker: unknown } }>('/api/status');
    expect(status.capabilities.docker).toEqual({ autoPause: true, available: true, error: null });
    // The API answers from the Governor's own listing: the container with its cgroup's memory and CPU.
    const listed = await govd.get<ContainersResponse>('/api/containers');
    const mine = listed.containers.find((container) => container.name === name);
    expect([listed.available, listed.error, mine?.state, mine?.source, typeof mine?.memory?.usage, typeof mine?.cpu?.usageNs]).toEqual([true, null, 'running', 'cgroup', 'number', 'number']);
    expect(await govd.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 150_000);
});

describeWithDocker('govd pausing and unpausing one container through the API, for real', () => {
  const name = `govd-api-pause-${process.pid}`;
  const never = `govd-api-never-${process.pid}`;
  let govd: GovdProcess | undefined;

  beforeAll(() => {
    startContainer({ name, command: ['sleep', '3600'] });
    startContainer({ name: never, labels: { 'gov.pause': 'never' }, command: ['sleep', '3600'] });
  });

  afterAll(async () => {
    await govd?.cleanup();
    removeContainers(name, never);
  });

  it('pauses it and reclaims its cgroup, refuses a guarded or paused one, and unpauses it', async () => {
    // The governor decides nothing here: only the API acts, and only on these containers.
    govd = await startGovd('[governor]\nenabled = false\n');
    const token = await govd.token();
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${govd!.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } } };
    };
    const paused = await post('/api/containers/pause', { name });
    expect([paused.status, paused.body['action'], paused.body['name'], (paused.body['reclaim'] as { status: string } | null)?.status ?? 'none']).toEqual([200, 'paused', name, expect.stringMatching(/^(ok|skipped|none)$/)]);
    expect(dockerCli(['inspect', '--format', '{{.State.Status}}', name])).toBe('paused');
    const listed = await govd.get<ContainersResponse>('/api/containers');
    expect(listed.containers.find((container) => container.name === name)?.pausedByGov).toBe(true);
    const again = await post('/api/containers/pause', { name });
    expect([again.status, again.body.error?.code, again.body.error?.message]).toEqual([409, 'GOV_DOCKER_NOT_RUNNING', `${name} is paused; only a running container can be paused`]);
    const guarded = await post('/api/containers/pause', { name: never });
    expect([guarded.status, guarded.body.error]).toEqual([409, { code: 'GOV_DOCKER_GUARDED', message: `${never} is not paused: it is labelled gov.pause=never`, details: { guard: 'label' } }]);
    const unpaused = await post('/api/containers/unpause', { name });
    expect([unpaused.status, unpaused.body['action'], unpaused.body['pausedByGov']]).toEqual([200, 'unpaused', true]);
    expect(dockerCli(['inspect', '--format', '{{.State.Status}}', name])).toBe('running');
    const missing = await post('/api/containers/pause', { name: `${name}-gone` });
    expect([missing.status, missing.body.error?.code]).toEqual([404, 'GOV_DOCKER_NOT_FOUND']);
    const { records } = await govd.get<{ records: HistoryRecord[] }>('/api/history?limit=100');
    expect(records.filter((record) => record.kind === 'pause-idle-containers').map((record) => record.kind === 'pause-idle-containers' && [record.code, record.paused, record.dryRun])).toEqual([['api-request', [name], false]]);
    expect(records.some((record) => record.kind === 'event' && record.event === 'container-unpaused' && record.message.startsWith(`${name} unpaused`))).toBe(true);
  }, 60_000);
});
