import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kubepodsDriver, parseContainerEntry, parseKubepodsEntry, parsePodLogDir } from './kubepods.js';

const UID = '0f5b6c1e-6f2d-4c8a-9a43-1b2c3d4e5f60';
const ID = 'a'.repeat(64);

describe('parseKubepodsEntry', () => {
  it('reads the cgroupfs layout: QoS levels, and pods under them or (guaranteed) directly under kubepods', () => {
    expect(['burstable', 'besteffort', `pod${UID}`, 'pod-not-a-uid', `pod${UID.replaceAll('-', '_')}`, 'kubepods-burstable.slice'].map((name) => parseKubepodsEntry(name, 'cgroupfs'))).toEqual([
      { kind: 'qos', qos: 'burstable' },
      { kind: 'qos', qos: 'besteffort' },
      { kind: 'pod', uid: UID },
      null,
      null,
      null,
    ]);
  });

  it('reads the systemd layout, where the uid is written with _ and a guaranteed pod has no QoS slice', () => {
    const systemdUid = UID.replaceAll('-', '_');
    expect(
      ['kubepods-burstable.slice', 'kubepods-besteffort.slice', `kubepods-burstable-pod${systemdUid}.slice`, `kubepods-besteffort-pod${systemdUid}.slice`, `kubepods-pod${systemdUid}.slice`, `kubepods-pod${UID}.slice`, 'burstable'].map((name) =>
        parseKubepodsEntry(name, 'systemd'),
      ),
    ).toEqual([{ kind: 'qos', qos: 'burstable' }, { kind: 'qos', qos: 'besteffort' }, { kind: 'pod', uid: UID }, { kind: 'pod', uid: UID }, { kind: 'pod', uid: UID }, null, null]);
  });

  it('never takes anything but a whole well-formed name', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        for (const driver of ['cgroupfs', 'systemd'] as const) {
          const entry = parseKubepodsEntry(name, driver);
          if (entry?.kind === 'pod') expect(entry.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        }
      }),
    );
  });
});

describe('parseContainerEntry', () => {
  it('reads container ids: a bare id under cgroupfs, the runtime scopes under systemd', () => {
    expect([ID, `cri-containerd-${ID}.scope`].map((name) => parseContainerEntry(name, 'cgroupfs'))).toEqual([ID, null]);
    expect([`cri-containerd-${ID}.scope`, `crio-${ID}.scope`, `docker-${ID}.scope`, ID, 'memory.stat'].map((name) => parseContainerEntry(name, 'systemd'))).toEqual([ID, ID, ID, null, null]);
  });
});

describe('kubepodsDriver', () => {
  it('names the driver whose root cgroup is there', () => {
    expect([kubepodsDriver(['system.slice', 'kubepods.slice']), kubepodsDriver(['docker', 'kubepods']), kubepodsDriver(['docker', 'user.slice'])]).toEqual(['systemd', 'cgroupfs', null]);
  });
});

describe('parsePodLogDir', () => {
  it('splits <namespace>_<name>_<uid>, and refuses anything else', () => {
    expect(parsePodLogDir(`kube-system_coredns-5d78c9869d-abcde_${UID}`)).toEqual({ namespace: 'kube-system', name: 'coredns-5d78c9869d-abcde', uid: UID });
    expect([`a_b_c_${UID}`, `_web_${UID}`, 'default_web_not-a-uid', 'lost+found'].map(parsePodLogDir)).toEqual([null, null, null, null]);
  });
});
