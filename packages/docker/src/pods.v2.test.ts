import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReclaimer } from '@gov/reclaimer';
import { afterAll, describe, expect, it } from 'vitest';
import { assertCgroupV2Kernel, createCgroup, kernelSeries, MiB, type TestCgroup } from '../../../tools/test-support/cgroup-lab.js';
import { createPodClient } from './pod-reclaim.js';

// On a real cgroup-v2 kernel (the lab guest, `npm run test:v2`), as root: pods laid out as the
// kubelet's systemd cgroup driver does, with real processes holding page cache.
assertCgroupV2Kernel();

const keyword = kernelSeries() === '6.1' ? '' : ' swappiness=0';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LabPod {
  uid: string;
  path: string;
  containerId: string;
  container: TestCgroup;
  pod: TestCgroup;
}

describe('pods of a Kubernetes node, systemd driver, cgroup v2', () => {
  const root: TestCgroup[] = [];
  let podLogsDir = '';
  afterAll(async () => {
    for (const cgroup of root) await cgroup.remove();
    if (podLogsDir) await rm(podLogsDir, { recursive: true, force: true });
  });

  /** A pod's slice and one container scope in it, as `kubepods-<qos>-pod<uid>.slice/cri-containerd-<id>.scope`. */
  async function addPod(qos: 'guaranteed' | 'burstable' | 'besteffort', namespace: string, name: string): Promise<LabPod> {
    const uid = randomUUID();
    const containerId = randomBytes(32).toString('hex');
    const escaped = uid.replaceAll('-', '_');
    const path = qos === 'guaranteed' ? `kubepods.slice/kubepods-pod${escaped}.slice` : `kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${escaped}.slice`;
    const container = await createCgroup(`${path}/cri-containerd-${containerId}.scope`);
    await mkdir(join(podLogsDir, `${namespace}_${name}_${uid}`));
    return { uid, path, containerId, container, pod: await createCgroup(path) };
  }

  it('lists each pod with its QoS, name, containers and memory, and reclaims only the idle, named, not excluded ones through memory.reclaim', async () => {
    root.push(await createCgroup('kubepods.slice'));
    podLogsDir = await mkdtemp(join(tmpdir(), 'gov-pod-logs-'));
    const idle = await addPod('burstable', 'shop', 'web-7d9f8-abcde');
    const system = await addPod('guaranteed', 'kube-system', 'coredns-1');
    const busy = await addPod('besteffort', 'shop', 'worker-0');
    for (const pod of [idle, system, busy]) await pod.container.fillPageCache(64 * MiB);
    idle.container.spawn('sleep', ['3600']);
    system.container.spawn('sleep', ['3600']);
    busy.container.spawn('sh', ['-c', 'while :; do :; done']);

    const client = createPodClient({ reclaimer: createReclaimer(), podLogsDir, idleCpuPercent: 5 });
    const first = await client.listPods();
    expect({ ...first, pods: first.pods.map((pod) => ({ uid: pod.uid, namespace: pod.namespace, name: pod.name, qos: pod.qos, path: pod.cgroup.path, version: pod.cgroup.version, containers: pod.containers, error: pod.error })) }).toEqual({
      kubernetes: true,
      driver: 'systemd',
      cgroupVersion: 2,
      pods: [
        { uid: system.uid, namespace: 'kube-system', name: 'coredns-1', qos: 'guaranteed', path: system.path, version: 2, containers: [system.containerId], error: undefined },
        { uid: idle.uid, namespace: 'shop', name: 'web-7d9f8-abcde', qos: 'burstable', path: idle.path, version: 2, containers: [idle.containerId], error: undefined },
        { uid: busy.uid, namespace: 'shop', name: 'worker-0', qos: 'besteffort', path: busy.path, version: 2, containers: [busy.containerId], error: undefined },
      ],
    });
    for (const pod of first.pods) expect(pod.memory?.cache).toBeGreaterThanOrEqual(60 * MiB);

    await sleep(2000);
    const result = await client.reclaimIdle({ idleForMs: 1500, exclude: ['kube-system'], maxPodsPerTick: 3 });
    expect(result.pods.map(({ pod, action, guard }) => ({ pod, action, guard }))).toEqual([
      { pod: 'kube-system/coredns-1', action: 'skipped', guard: 'excluded' },
      { pod: 'shop/web-7d9f8-abcde', action: 'reclaimed', guard: null },
      { pod: 'shop/worker-0', action: 'skipped', guard: 'not-idle' },
    ]);
    const reclaimed = result.pods[1];
    const target = reclaimed?.reclaim?.targetBytes ?? 0;
    expect(target).toBeGreaterThanOrEqual(60 * MiB);
    const detail = `write "${target}${keyword}" to memory.reclaim of cgroup ${idle.path} (v2)`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Pages a process still has mapped may stay; the kernel then answers EAGAIN, still a reclaim that ran.
    expect(reclaimed?.reclaim).toEqual({ status: 'ok', targetBytes: target, detail: expect.stringMatching(new RegExp(`^${detail}(; the kernel reclaimed less than the target \\(EAGAIN\\))?$`)) });
    // The kernel gave the idle pod's page cache back; the others keep theirs.
    expect(await idle.pod.stat('file')).toBeLessThan(8 * MiB);
    expect(result.freedBytes).toBeGreaterThanOrEqual(56 * MiB);
    expect(await system.pod.stat('file')).toBeGreaterThanOrEqual(60 * MiB);
    expect(await busy.pod.stat('file')).toBeGreaterThanOrEqual(60 * MiB);
  });
});
