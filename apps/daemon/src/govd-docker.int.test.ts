import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ContainersResponse } from '@gov/api';
import type { HistoryRecord } from '@gov/policies';
import { describeWithDocker, removeContainers, startContainer } from '../../../tools/test-support/docker.js';
import { startGovd, waitFor, type GovdProcess } from './govd-harness.js';

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
      `
[governor]
policy = "aggressive"
check_interval_secs = 1
linux_min_mb = 64
psi_some_avg10_max = 100

[governor.aggressive]
host_pressure_threshold_percent = 1
target_reclaim_mb = 64
reclaim_interval_secs = 30

[docker]
auto_pause_idle_containers = true
idle_container_threshold_minutes = 1
allow = [${JSON.stringify(name)}]
`,
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
