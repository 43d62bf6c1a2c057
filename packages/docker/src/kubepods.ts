/**
 * The kubelet's cgroup layout of pods. With the systemd cgroup driver:
 * `kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/cri-containerd-<id>.scope`;
 * with the cgroupfs driver: `kubepods/<qos>/pod<uid>/<id>`. Guaranteed pods have no QoS level:
 * they sit directly under `kubepods.slice` (`kubepods-pod<uid>.slice`) or `kubepods/` (`pod<uid>`).
 * The systemd driver writes the pod UID with `_` for `-` (a `-` is a slice separator).
 */

/** A pod's quality-of-service class, which picks its level in the tree. */
export type PodQos = 'guaranteed' | 'burstable' | 'besteffort';

/** How the kubelet names cgroups: the `cgroupDriver` of its configuration. */
export type KubeletCgroupDriver = 'cgroupfs' | 'systemd';

/** The kubelet's top cgroup of pods, relative to the hierarchy root, by driver. */
export const KUBEPODS_ROOT: Readonly<Record<KubeletCgroupDriver, string>> = { cgroupfs: 'kubepods', systemd: 'kubepods.slice' };

const UID_HEX = '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}';
const CGROUPFS_POD = new RegExp(`^pod(${UID_HEX})$`);
const SYSTEMD_POD = new RegExp(`^kubepods(?:-(burstable|besteffort))?-pod(${UID_HEX})\\.slice$`);
const CGROUPFS_CONTAINER = /^([0-9a-f]{64})$/;
// containerd, CRI-O (and its conmon), and cri-dockerd name their container scopes so.
const SYSTEMD_CONTAINER = /^(?:cri-containerd|crio|docker)-([0-9a-f]{64})\.scope$/;
const POD_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A child of the kubepods cgroup or of a QoS cgroup: a QoS level, a pod, or something else (`null`). */
export type KubepodsEntry = { kind: 'qos'; qos: Exclude<PodQos, 'guaranteed'> } | { kind: 'pod'; uid: string };

/** Reads one directory name of the kubepods tree. */
export function parseKubepodsEntry(name: string, driver: KubeletCgroupDriver): KubepodsEntry | null {
  if (driver === 'cgroupfs') {
    if (name === 'burstable' || name === 'besteffort') return { kind: 'qos', qos: name };
    const pod = CGROUPFS_POD.exec(name);
    return pod?.[1] && !pod[1].includes('_') ? { kind: 'pod', uid: pod[1] } : null;
  }
  if (name === 'kubepods-burstable.slice') return { kind: 'qos', qos: 'burstable' };
  if (name === 'kubepods-besteffort.slice') return { kind: 'qos', qos: 'besteffort' };
  const pod = SYSTEMD_POD.exec(name);
  return pod?.[2] && !pod[2].includes('-') ? { kind: 'pod', uid: pod[2].replaceAll('_', '-') } : null;
}

/** The container id a directory under a pod's cgroup belongs to; `null` for anything else. */
export function parseContainerEntry(name: string, driver: KubeletCgroupDriver): string | null {
  return (driver === 'cgroupfs' ? CGROUPFS_CONTAINER : SYSTEMD_CONTAINER).exec(name)?.[1] ?? null;
}

/** The driver whose kubepods root directory is among the names of a hierarchy's root; `null` when neither is. */
export function kubepodsDriver(rootEntries: readonly string[]): KubeletCgroupDriver | null {
  if (rootEntries.includes(KUBEPODS_ROOT.systemd)) return 'systemd';
  if (rootEntries.includes(KUBEPODS_ROOT.cgroupfs)) return 'cgroupfs';
  return null;
}

/** A pod's name and namespace, which the cgroup tree does not carry. */
export interface PodIdentity {
  namespace: string;
  name: string;
  uid: string;
}

/**
 * Reads a directory name of the kubelet's pod log root (`/var/log/pods/<namespace>_<name>_<uid>`).
 * Namespaces and pod names are DNS names, which cannot hold `_`, so the split is unambiguous.
 */
export function parsePodLogDir(entry: string): PodIdentity | null {
  const parts = entry.split('_');
  if (parts.length !== 3) return null;
  const [namespace, name, uid] = parts as [string, string, string];
  if (namespace === '' || name === '' || !POD_UID.test(uid)) return null;
  return { namespace, name, uid };
}
