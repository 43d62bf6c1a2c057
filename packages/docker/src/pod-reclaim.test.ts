import { describe, expect, it } from 'vitest';
import { isExcluded, planPodReclaims, podLabel } from './pod-reclaim.js';
import type { PodInfo } from './pod-sensor.js';

const MiB = 1024 ** 2;

function pod(uid: string, namespace: string | null, name: string | null, cacheMiB: number, idle = true): PodInfo & { idle: boolean } {
  return {
    uid,
    namespace,
    name,
    qos: 'burstable',
    cgroup: { version: 1, path: `kubepods/burstable/pod${uid}`, memoryDir: `/sys/fs/cgroup/memory/kubepods/burstable/pod${uid}`, cpuDir: `/sys/fs/cgroup/cpuacct/kubepods/burstable/pod${uid}` },
    containers: [],
    memory: { usage: (cacheMiB + 10) * MiB, workingSet: 10 * MiB, cache: cacheMiB * MiB, anon: 10 * MiB, shmem: 0, limit: null },
    cpu: { usageNs: 0, percent: 0 },
    idleForMs: idle ? 3_600_000 : 0,
    idle,
  };
}

describe('isExcluded', () => {
  it('takes a namespace, or namespace/pod, each a glob', () => {
    const exclude = ['kube-system', 'monitoring/prometheus-*', 'team-?'];
    expect([isExcluded(exclude, 'kube-system', 'coredns-1'), isExcluded(exclude, 'monitoring', 'prometheus-0'), isExcluded(exclude, 'monitoring', 'grafana-0'), isExcluded(exclude, 'team-a', 'x'), isExcluded(exclude, 'team-ab', 'x')]).toEqual([true, true, false, true, false]);
  });
});

describe('planPodReclaims', () => {
  it('keeps to idle, named, not excluded pods with page cache, the most cache first, at most maxPods', () => {
    const pods = [pod('1', 'kube-system', 'coredns', 500), pod('2', null, null, 500), pod('3', 'web', 'busy', 500, false), pod('4', 'web', 'small', 0.5), pod('5', 'web', 'a', 100), pod('6', 'web', 'b', 300), pod('7', 'web', 'c', 200)];
    const plan = planPodReclaims(pods, (candidate) => (candidate as (typeof pods)[number]).idle, { idleForMs: 1_800_000, exclude: ['kube-system'], maxPods: 2 });
    expect(plan.reclaim.map(podLabel)).toEqual(['web/b', 'web/c']);
    expect(plan.skipped.map(({ pod: skipped, guard, reason }) => [podLabel(skipped), guard, reason])).toEqual([
      ['kube-system/coredns', 'excluded', 'excluded by kubernetes.exclude'],
      ['pod 2', 'unknown-identity', 'no pod log directory names it, so the exclude list cannot be checked'],
      ['web/busy', 'not-idle', 'not idle for 30 min'],
      ['web/small', 'no-cache', 'it holds less than 1 MiB of page cache'],
      ['web/a', 'max-pods', 'at most 2 per tick'],
    ]);
  });
});
