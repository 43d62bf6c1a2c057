import type { PodListing } from '@gov/docker';
import { describe, expect, it } from 'vitest';
import { rememberPodListings } from './pod-listing.js';

const listing: PodListing = { kubernetes: true, driver: 'systemd', cgroupVersion: 2, pods: [] };

describe('rememberPodListings', () => {
  it('answers the API from the Governor\u2019s last listing while it is recent, and lists again once it is not', async () => {
    let clock = Date.parse('2026-12-06T12:00:00Z');
    let calls = 0;
    const pods = rememberPodListings({ reclaimIdle: async () => ({ reclaimed: [], freedBytes: 0 }), listPods: async () => ((calls += 1), listing) }, () => new Date(clock));
    expect(await pods.listPods()).toEqual(listing);
    clock += 30_000;
    expect(await pods.recent(30_000)).toEqual({ ...listing, error: null, sampledAt: '2026-12-06T12:00:00.000Z' });
    clock += 1;
    expect(await pods.recent(30_000)).toEqual({ ...listing, error: null, sampledAt: '2026-12-06T12:00:30.001Z' });
    expect(calls).toBe(2);
  });

  it('keeps a failed listing as an answer for the API and still fails the Governor\u2019s', async () => {
    const pods = rememberPodListings({ reclaimIdle: async () => ({ reclaimed: [], freedBytes: 0 }), listPods: async () => Promise.reject(new Error('EACCES /sys/fs/cgroup/kubepods.slice')) }, () => new Date('2026-12-06T12:00:00Z'));
    await expect(pods.listPods()).rejects.toThrow('EACCES /sys/fs/cgroup/kubepods.slice');
    expect(await pods.recent(60_000)).toEqual({ kubernetes: false, driver: null, cgroupVersion: null, pods: [], error: 'EACCES /sys/fs/cgroup/kubepods.slice', sampledAt: '2026-12-06T12:00:00.000Z' });
  });
});
