import { createReclaimer } from '@gov/reclaimer';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCgroupV1Root, createKubepodsLab, MiB, type KubepodsLab, type Layout } from '../../../tools/test-support/kubepods-host.js';
import { createPodClient } from './pod-reclaim.js';

// Real processes in real cgroup v1 memory and cpuacct cgroups, laid out as a kubelet does, as root.
beforeAll(() => assertCgroupV1Root());

let lab: KubepodsLab | undefined;
afterEach(async () => {
  await lab?.cleanup();
  lab = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each<Layout>(['cgroupfs', 'systemd'])('pods of a Kubernetes node, %s driver, cgroup v1', (layout) => {
  it('lists each pod with its QoS, name, containers and memory, and reclaims only the idle, named, not excluded ones', async () => {
    lab = await createKubepodsLab(layout);
    const idle = await lab.addPod('burstable', 'shop', 'web-7d9f8-abcde');
    const system = await lab.addPod('guaranteed', 'kube-system', 'coredns-1');
    const busy = await lab.addPod('besteffort', 'shop', 'worker-0');
    for (const pod of [idle, system, busy]) await pod.fillPageCache(64 * MiB);
    idle.start('idle');
    system.start('idle');
    busy.start('busy');

    const client = createPodClient({ reclaimer: createReclaimer(), podLogsDir: lab.podLogsDir, idleCpuPercent: 5 });
    const first = await client.listPods();
    expect({ ...first, pods: first.pods.map((pod) => ({ uid: pod.uid, namespace: pod.namespace, name: pod.name, qos: pod.qos, path: pod.cgroup.path, containers: pod.containers, error: pod.error })) }).toEqual({
      kubernetes: true,
      driver: layout,
      cgroupVersion: 1,
      pods: [
        { uid: system.uid, namespace: 'kube-system', name: 'coredns-1', qos: 'guaranteed', path: system.path, containers: [system.containerId], error: undefined },
        { uid: idle.uid, namespace: 'shop', name: 'web-7d9f8-abcde', qos: 'burstable', path: idle.path, containers: [idle.containerId], error: undefined },
        { uid: busy.uid, namespace: 'shop', name: 'worker-0', qos: 'besteffort', path: busy.path, containers: [busy.containerId], error: undefined },
      ],
    });
    for (const pod of first.pods) {
      expect(pod.memory?.cache).toBeGreaterThanOrEqual(60 * MiB);
      expect(pod.memory?.usage).toBeGreaterThanOrEqual(pod.memory?.cache ?? Number.POSITIVE_INFINITY);
    }

    await sleep(1500);
    const result = await client.reclaimIdle({ idleForMs: 1000, exclude: ['kube-system'], maxPodsPerTick: 3 });
    expect(result.pods.map(({ pod, action, guard }) => ({ pod, action, guard }))).toEqual([
      { pod: 'kube-system/coredns-1', action: 'skipped', guard: 'excluded' },
      { pod: 'shop/web-7d9f8-abcde', action: 'reclaimed', guard: null },
      { pod: 'shop/worker-0', action: 'skipped', guard: 'not-idle' },
    ]);
    expect(result.reclaimed).toEqual(['shop/web-7d9f8-abcde']);
    const reclaimed = result.pods[1];
    expect(reclaimed?.reclaim).toMatchObject({ status: 'ok', detail: `write "0" to memory.force_empty of cgroup ${idle.path} (v1); cgroup v1 memory.force_empty reclaims all it can; a byte target does not apply` });
    // The kernel gave the idle pod's page cache back; the others keep theirs.
    expect(idle.cacheBytes()).toBeLessThan(8 * MiB);
    expect(result.freedBytes).toBeGreaterThanOrEqual(56 * MiB);
    expect(system.cacheBytes()).toBeGreaterThanOrEqual(60 * MiB);
    expect(busy.cacheBytes()).toBeGreaterThanOrEqual(60 * MiB);
  });
});

describe('a node without pods', () => {
  it('says it is not a Kubernetes node', async () => {
    const client = createPodClient({ reclaimer: createReclaimer() });
    expect(await client.listPods()).toEqual({ kubernetes: false, driver: null, cgroupVersion: null, pods: [] });
  });
});
