import type { ContainerInfo } from '@gov/docker';
import { describe, expect, it } from 'vitest';
import { rememberListings, type DaemonContainers } from './container-listing.js';

const web = { id: 'a'.repeat(64), name: 'web', state: 'running' } as ContainerInfo;

function portListing(answers: (() => Promise<ContainerInfo[]>)[]) {
  let calls = 0;
  const port: DaemonContainers = {
    pauseIdle: async () => ({ paused: [], freedBytes: 0 }),
    listContainers: () => {
      const answer = answers[Math.min(calls, answers.length - 1)] as () => Promise<ContainerInfo[]>;
      calls += 1;
      return answer();
    },
  };
  return { port, calls: () => calls };
}

describe('rememberListings', () => {
  it('answers the API from the Governor’s last listing while it is recent, and lists again once it is not', async () => {
    let clock = Date.parse('2026-12-06T12:00:00Z');
    const { port, calls } = portListing([async () => [web]]);
    const listed = rememberListings(port, () => new Date(clock));
    expect(await listed.listContainers?.()).toEqual([web]);
    clock += 30_000;
    expect(await listed.recent(30_000)).toEqual({ available: true, error: null, sampledAt: '2026-12-06T12:00:00.000Z', containers: [web] });
    expect(calls()).toBe(1);
    clock += 1;
    expect(await listed.recent(30_000)).toEqual({ available: true, error: null, sampledAt: '2026-12-06T12:00:30.001Z', containers: [web] });
    expect(calls()).toBe(2);
  });

  it('shares one listing between concurrent requests', async () => {
    const { port, calls } = portListing([async () => [web]]);
    const listed = rememberListings(port, () => new Date('2026-12-06T12:00:00Z'));
    const answers = await Promise.all([listed.recent(0), listed.recent(0), listed.listContainers?.()]);
    expect(answers[0]).toBe(answers[1]);
    expect(calls()).toBe(1);
  });

  it('keeps a failed listing as an answer for the API and still fails the Governor’s', async () => {
    const { port } = portListing([async () => Promise.reject(new Error('connect ECONNREFUSED /var/run/docker.sock'))]);
    const listed = rememberListings(port, () => new Date('2026-12-06T12:00:00Z'));
    await expect(listed.listContainers?.()).rejects.toThrow('connect ECONNREFUSED /var/run/docker.sock');
    expect(await listed.recent(60_000)).toEqual({ available: false, error: 'connect ECONNREFUSED /var/run/docker.sock', sampledAt: '2026-12-06T12:00:00.000Z', containers: [] });
  });

  it('lists anew after a pause or an unpause, which change what the last listing says', async () => {
    const paused = { ...web, state: 'paused' } as ContainerInfo;
    const { port, calls } = portListing([async () => [web], async () => [paused], async () => [web]]);
    port.pause = async () => ({ name: 'web' }) as never;
    port.unpause = async () => ({ name: 'web' }) as never;
    const listed = rememberListings(port, () => new Date('2026-12-06T12:00:00Z'));
    expect((await listed.recent(60_000)).containers).toEqual([web]);
    await listed.pause?.('web', {});
    expect((await listed.recent(60_000)).containers).toEqual([paused]);
    await listed.unpause?.('web');
    expect((await listed.recent(60_000)).containers).toEqual([web]);
    expect(calls()).toBe(3);
  });

  it('says so when the daemon has no container listing at all', async () => {
    const listed = rememberListings({ pauseIdle: async () => ({ paused: [], freedBytes: 0 }) }, () => new Date());
    expect(listed.listContainers).toBeUndefined();
    expect(await listed.recent(60_000)).toEqual({ available: false, error: 'govd runs without a container listing', sampledAt: null, containers: [] });
  });
});
