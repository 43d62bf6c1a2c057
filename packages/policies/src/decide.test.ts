import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GiB, linuxMemory, MiB, snapshot, vmstat, wslSnapshot } from '../test/builders.js';
import { defaultConfig, type GovConfig } from './config-schema.js';
import { decide, nextState, viewMemory, type Decision } from './decide.js';
import { createPolicyState, type PolicyState } from './state.js';

const NOW = new Date('2026-01-15T10:00:00.000Z');
const ago = (seconds: number, from = NOW) => new Date(from.getTime() - seconds * 1000).toISOString();

function configWith(changes: (config: GovConfig) => void = () => {}): GovConfig {
  const config = structuredClone(defaultConfig);
  changes(config);
  return config;
}

function stateWith(changes: Partial<PolicyState> = {}): PolicyState {
  return { ...createPolicyState(), ...changes };
}

interface Row {
  name: string;
  snapshot: ReturnType<typeof snapshot>;
  config?: GovConfig;
  state?: PolicyState;
  now?: Date;
  expected: Decision;
}

const dynamicPressure = 'host has 12.5% available, below the 25% target';
const dynamicReclaim = `${dynamicPressure}; 4096 MiB held for nothing, reclaiming 2867 MiB`;
const emergency = 'host has 3.1% available, below the 5% emergency threshold';

const rows: Row[] = [
  {
    name: 'disabled: nothing, not even an emergency',
    snapshot: wslSnapshot(1),
    config: configWith((c) => (c.governor.enabled = false)),
    expected: { kind: 'none', policy: 'dynamic', code: 'disabled', reason: 'governor.enabled is false' },
  },
  {
    name: 'no Linux reading: nothing, naming the degraded source',
    snapshot: snapshot({ linux: null, degraded: [{ source: 'meminfo', code: 'GOV_MEMINFO_TIMEOUT', message: 'timed out after 2000 ms' }] }),
    expected: { kind: 'none', policy: 'dynamic', code: 'no-data', reason: 'Linux memory is unknown (meminfo: timed out after 2000 ms)' },
  },
  {
    name: 'WSL without a host reading: nothing',
    snapshot: wslSnapshot(4, { host: null }),
    expected: { kind: 'none', policy: 'dynamic', code: 'no-data', reason: 'host memory is unknown' },
  },
  {
    name: 'emergency: full reclaim past the cooldown and the memory stall',
    snapshot: wslSnapshot(1, { stall: 50 }),
    state: stateWith({ lastReclaimAt: ago(10) }),
    expected: { kind: 'reclaim', policy: 'emergency', method: 'full', targetBytes: null, code: 'emergency', reason: emergency },
  },
  {
    name: 'emergency under another policy, outside its schedule',
    snapshot: wslSnapshot(1),
    config: configWith((c) => (c.governor.policy = 'scheduled')),
    expected: { kind: 'reclaim', policy: 'emergency', method: 'full', targetBytes: null, code: 'emergency', reason: emergency },
  },
  {
    name: 'emergency bounded by the floor: a full reclaim would cross it, so only the room above it',
    snapshot: wslSnapshot(1),
    config: configWith((c) => (c.governor.linux_min_mb = 8192)),
    expected: { kind: 'reclaim', policy: 'emergency', method: 'cgroup_reclaim', targetBytes: 4 * GiB, code: 'emergency', reason: `${emergency}; limited to 4096 MiB by the 8192 MiB floor` },
  },
  {
    name: 'emergency at the floor: nothing',
    snapshot: wslSnapshot(1),
    config: configWith((c) => (c.governor.linux_min_mb = 12_288)),
    expected: { kind: 'none', policy: 'emergency', code: 'floor', reason: `${emergency}, but Linux holds 12288 MiB, at the 12288 MiB floor` },
  },
  {
    name: 'memory stall above the gate: nothing',
    snapshot: wslSnapshot(4, { stall: 25 }),
    expected: { kind: 'none', policy: 'dynamic', code: 'memory-stall', reason: 'memory stall some avg10 25% is above 10%; reclaiming now would make it worse' },
  },
  {
    name: 'dynamic: host fine and Linux under its max',
    snapshot: snapshot(),
    expected: { kind: 'none', policy: 'dynamic', code: 'host-ok', reason: 'host has 50% available (target 25%) and Linux holds 12288 MiB (max 16384 MiB)' },
  },
  {
    name: 'dynamic: host below target, waste above min: min(0.7 × waste, deficit); no PSI reading is no gate',
    snapshot: wslSnapshot(4, { stall: null }),
    expected: { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: Math.floor(0.7 * 4 * GiB), code: 'host-below-target', reason: dynamicReclaim },
  },
  {
    name: 'dynamic: the deficit is smaller than 0.7 × waste',
    snapshot: wslSnapshot(7.5),
    expected: { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: 512 * MiB, code: 'host-below-target', reason: 'host has 23.4% available, below the 25% target; 4096 MiB held for nothing, reclaiming 512 MiB' },
  },
  {
    name: 'dynamic: Linux above its max: reclaim down toward it',
    snapshot: snapshot({ linux: linuxMemory({ total: 32 * GiB, free: 4 * GiB, available: 24 * GiB, reclaimable: 20 * GiB }) }),
    expected: { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: 12 * GiB, code: 'linux-above-max', reason: 'Linux holds 28672 MiB, above the 16384 MiB max; 20480 MiB held for nothing, reclaiming 12288 MiB' },
  },
  {
    name: 'dynamic: too little waste',
    snapshot: wslSnapshot(4, { host: { total: 32 * GiB, available: 4 * GiB, vmmem: 8 * GiB + 400 * MiB } }),
    expected: { kind: 'none', policy: 'dynamic', code: 'low-waste', reason: `${dynamicPressure}, but Linux holds only 400 MiB for nothing (min 500 MiB)` },
  },
  {
    name: 'dynamic: within reclaim_interval_secs of the last reclaim',
    snapshot: wslSnapshot(4),
    state: stateWith({ lastReclaimAt: ago(30) }),
    expected: { kind: 'none', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 30 s ago; interval 60 s` },
  },
  {
    name: 'dynamic: the interval doubled while backing off',
    snapshot: wslSnapshot(4),
    state: stateWith({ lastReclaimAt: ago(90), backoff: { factor: 2, changedAt: ago(600), blamedActionAt: ago(900) } }),
    expected: { kind: 'none', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 90 s ago; interval 120 s (×2 backoff)` },
  },
  {
    name: 'dynamic: an OOM kill seen this tick, 70 s after a reclaim, doubles the interval at once',
    snapshot: wslSnapshot(4, { vmstat: vmstat({ oomKill: 1 }) }),
    state: stateWith({ lastReclaimAt: ago(70), previous: { at: ago(30), vmstat: vmstat() } }),
    expected: { kind: 'none', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 70 s ago; interval 120 s (×2 backoff)` },
  },
  {
    name: 'dynamic: target clamped to the room above the floor',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.governor.linux_min_mb = 10_240)),
    expected: { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: 2 * GiB, code: 'host-below-target', reason: `${dynamicReclaim}; limited to 2048 MiB by the 10240 MiB floor` },
  },
  {
    name: 'dynamic: at the floor: nothing',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.governor.linux_min_mb = 12_288)),
    expected: { kind: 'none', policy: 'dynamic', code: 'floor', reason: `${dynamicReclaim}, but Linux holds 12288 MiB, at the 12288 MiB floor` },
  },
  {
    name: 'dynamic: a target under 1 MiB is not worth a reclaim',
    snapshot: snapshot({ linux: linuxMemory({ total: 16 * GiB, free: 2 * GiB, available: 4095.5 * MiB, reclaimable: 4 * GiB }) }),
    expected: { kind: 'none', policy: 'dynamic', code: 'target-too-small', reason: 'host has 25% available, below the 25% target; 4096 MiB held for nothing, reclaiming 512 KiB, but 512 KiB is below the 1 MiB a reclaim needs' },
  },
  {
    name: 'auto-pause: under pressure during the cooldown, pause idle containers',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.docker.auto_pause_idle_containers = true)),
    state: stateWith({ lastReclaimAt: ago(30) }),
    expected: { kind: 'pause-idle-containers', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 30 s ago; interval 60 s; pausing containers idle for 30 min instead` },
  },
  {
    name: 'auto-pause: under pressure with too little waste, pause idle containers',
    snapshot: wslSnapshot(4, { host: { total: 32 * GiB, available: 4 * GiB, vmmem: 8 * GiB + 400 * MiB } }),
    config: configWith((c) => (c.docker.auto_pause_idle_containers = true)),
    expected: { kind: 'pause-idle-containers', policy: 'dynamic', code: 'low-waste', reason: `${dynamicPressure}, but Linux holds only 400 MiB for nothing (min 500 MiB); pausing containers idle for 30 min instead` },
  },
  {
    name: 'idle pods: under pressure during the cooldown, reclaim idle pods\' page cache',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.kubernetes.reclaim_idle_pods = true)),
    state: stateWith({ lastReclaimAt: ago(30) }),
    expected: { kind: 'reclaim-idle-pods', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 30 s ago; interval 60 s; reclaiming the page cache of pods idle for 30 min instead` },
  },
  {
    name: 'idle pods: auto-pause wins when both are on; neither again within the interval',
    snapshot: wslSnapshot(4),
    config: configWith((c) => Object.assign(c, { docker: { ...c.docker, auto_pause_idle_containers: true }, kubernetes: { ...c.kubernetes, reclaim_idle_pods: true } })),
    state: stateWith({ lastReclaimAt: ago(30) }),
    expected: { kind: 'pause-idle-containers', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 30 s ago; interval 60 s; pausing containers idle for 30 min instead` },
  },
  {
    name: 'idle pods: not again within the interval of the last idle action',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.kubernetes.reclaim_idle_pods = true)),
    state: stateWith({ lastReclaimAt: ago(30), lastPauseAt: ago(20) }),
    expected: { kind: 'none', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 30 s ago; interval 60 s` },
  },
  {
    name: 'auto-pause: not again within the interval',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.docker.auto_pause_idle_containers = true)),
    state: stateWith({ lastReclaimAt: ago(30), lastPauseAt: ago(20) }),
    expected: { kind: 'none', policy: 'dynamic', code: 'cooldown', reason: `${dynamicPressure}, but the last reclaim was 30 s ago; interval 60 s` },
  },
  {
    name: 'auto-pause: never when the host is fine',
    snapshot: snapshot(),
    config: configWith((c) => (c.docker.auto_pause_idle_containers = true)),
    expected: { kind: 'none', policy: 'dynamic', code: 'host-ok', reason: 'host has 50% available (target 25%) and Linux holds 12288 MiB (max 16384 MiB)' },
  },
  {
    name: 'aggressive: below the threshold',
    snapshot: snapshot(),
    config: configWith((c) => (c.governor.policy = 'aggressive')),
    expected: { kind: 'none', policy: 'aggressive', code: 'host-ok', reason: 'host 50% used, below the 80% threshold' },
  },
  {
    name: 'aggressive: at the threshold: reclaim target_reclaim_mb',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.governor.policy = 'aggressive')),
    expected: { kind: 'reclaim', policy: 'aggressive', method: 'cgroup_reclaim', targetBytes: 1024 * MiB, code: 'host-pressure', reason: 'host 87.5% used, at or above the 80% threshold; reclaiming 1024 MiB' },
  },
  {
    name: 'aggressive: within its interval',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.governor.policy = 'aggressive')),
    state: stateWith({ lastReclaimAt: ago(59) }),
    expected: { kind: 'none', policy: 'aggressive', code: 'cooldown', reason: 'host 87.5% used, at or above the 80% threshold, but the last reclaim was 59 s ago; interval 60 s' },
  },
  {
    name: 'conservative: high, but under the critical threshold',
    snapshot: wslSnapshot(4),
    config: configWith((c) => (c.governor.policy = 'conservative')),
    expected: { kind: 'none', policy: 'conservative', code: 'host-ok', reason: 'host 87.5% used, below the 90% critical threshold' },
  },
  {
    name: 'conservative: critical: full reclaim',
    snapshot: wslSnapshot(2),
    config: configWith((c) => (c.governor.policy = 'conservative')),
    expected: { kind: 'reclaim', policy: 'conservative', method: 'full', targetBytes: null, code: 'host-critical', reason: 'host 93.8% used, at or above the 90% critical threshold; full reclaim' },
  },
  {
    name: 'scheduled: inside a listed minute (local time)',
    snapshot: snapshot(),
    config: configWith((c) => (c.governor.policy = 'scheduled')),
    now: new Date(2026, 0, 15, 3, 0, 20),
    expected: { kind: 'reclaim', policy: 'scheduled', method: 'full', targetBytes: null, code: 'scheduled', reason: 'scheduled full reclaim at 03:00' },
  },
  {
    name: 'scheduled: once per listed minute',
    snapshot: snapshot(),
    config: configWith((c) => (c.governor.policy = 'scheduled')),
    state: stateWith({ lastScheduledSlot: '2026-01-15 03:00' }),
    now: new Date(2026, 0, 15, 3, 0, 50),
    expected: { kind: 'none', policy: 'scheduled', code: 'not-scheduled', reason: 'the 03:00 reclaim already ran' },
  },
  {
    name: 'scheduled: outside the listed minutes',
    snapshot: snapshot(),
    config: configWith((c) => (c.governor.policy = 'scheduled')),
    now: new Date(2026, 0, 15, 3, 1, 0),
    expected: { kind: 'none', policy: 'scheduled', code: 'not-scheduled', reason: '03:01 is not one of the scheduled times (03:00, 12:00)' },
  },
  {
    name: 'scheduled: the memory stall gate holds it back',
    snapshot: snapshot({ stall: 30 }),
    config: configWith((c) => (c.governor.policy = 'scheduled')),
    now: new Date(2026, 0, 15, 12, 0, 0),
    expected: { kind: 'none', policy: 'scheduled', code: 'memory-stall', reason: 'memory stall some avg10 30% is above 10%; reclaiming now would make it worse' },
  },
];

describe('decide', () => {
  test.each(rows)('$name', ({ snapshot: snap, config, state, now, expected }) => {
    expect(decide(snap, state ?? createPolicyState(), config ?? defaultConfig, now ?? NOW)).toEqual(expected);
  });

  test('is pure: the same inputs give the same decision, and the state is not touched', () => {
    const state = stateWith({ lastReclaimAt: ago(70), previous: { at: ago(30), vmstat: vmstat() } });
    const frozen = structuredClone(state);
    const snap = wslSnapshot(4, { vmstat: vmstat({ oomKill: 1 }) });
    expect(decide(snap, state, defaultConfig, NOW)).toEqual(decide(snap, state, defaultConfig, NOW));
    expect(state).toEqual(frozen);
  });
});

describe('viewMemory', () => {
  test('WSL: waste is vmmem − actualUsage; Linux holds what vmmem holds', () => {
    expect(viewMemory(wslSnapshot(4))).toEqual({
      hostTotal: 32 * GiB,
      hostAvailable: 4 * GiB,
      hostAvailablePercent: 12.5,
      hostUsedPercent: 87.5,
      linuxHeld: 12 * GiB,
      waste: 4 * GiB,
      reclaimable: 6 * GiB,
      linux: linuxMemory({ total: 16 * GiB, free: 2 * GiB, available: 8 * GiB, reclaimable: 6 * GiB }),
    });
  });

  test('plain Linux without a host reading: the machine is the host, waste is reclaimable', () => {
    const view = viewMemory(snapshot());
    expect(view && { hostTotal: view.hostTotal, hostAvailable: view.hostAvailable, linuxHeld: view.linuxHeld, waste: view.waste }).toEqual({ hostTotal: 16 * GiB, hostAvailable: 8 * GiB, linuxHeld: 12 * GiB, waste: 4 * GiB });
  });
});

describe('nextState', () => {
  test('remembers reclaims, pauses and the scheduled minute served, with this tick\'s vmstat', () => {
    const snap = snapshot({ vmstat: vmstat({ workingsetRefaultFile: 10 }) });
    const at = NOW.toISOString();
    const reclaim: Decision = { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: 64 * MiB, code: 'host-below-target', reason: 'r' };
    expect(nextState(createPolicyState(), snap, reclaim, defaultConfig, NOW)).toEqual({ ...createPolicyState(), lastReclaimAt: at, previous: { at, vmstat: vmstat({ workingsetRefaultFile: 10 }) } });

    const pause: Decision = { kind: 'pause-idle-containers', policy: 'dynamic', code: 'cooldown', reason: 'p' };
    expect(nextState(createPolicyState(), snap, pause, defaultConfig, NOW)).toMatchObject({ lastPauseAt: at, lastReclaimAt: null });

    const threeAm = new Date(2026, 0, 15, 3, 0, 5);
    const scheduled: Decision = { kind: 'reclaim', policy: 'scheduled', method: 'full', targetBytes: null, code: 'scheduled', reason: 's' };
    expect(nextState(createPolicyState(), snap, scheduled, defaultConfig, threeAm).lastScheduledSlot).toBe('2026-01-15 03:00');

    const nothing: Decision = { kind: 'none', policy: 'dynamic', code: 'host-ok', reason: 'n' };
    expect(nextState(createPolicyState(), snap, nothing, defaultConfig, NOW)).toEqual({ ...createPolicyState(), previous: { at, vmstat: vmstat({ workingsetRefaultFile: 10 }) } });
  });

  test('keeps the previous vmstat when this snapshot has none', () => {
    const previous = { at: ago(30), vmstat: vmstat({ oomKill: 3 }) };
    const nothing: Decision = { kind: 'none', policy: 'dynamic', code: 'host-ok', reason: 'n' };
    expect(nextState(stateWith({ previous }), snapshot({ vmstat: null }), nothing, defaultConfig, NOW).previous).toEqual(previous);
  });

  test('the state survives JSON: it can be persisted as is', () => {
    const state = nextState(stateWith({ lastReclaimAt: ago(60), previous: { at: ago(30), vmstat: vmstat() } }), wslSnapshot(4, { vmstat: vmstat({ oomKill: 2 }) }), { kind: 'none', policy: 'dynamic', code: 'cooldown', reason: 'c' }, defaultConfig, NOW);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state.backoff.factor).toBe(2);
  });
});

describe('safety, for any snapshot and config', () => {
  const size = fc.integer({ min: 0, max: 256 * 1024 }).map((mebibytes) => mebibytes * MiB);
  const snapshotArb = fc
    .record({
      environment: fc.constantFrom('linux', 'wsl-guest', 'windows' as const),
      total: fc.integer({ min: 1, max: 256 * 1024 }).map((mebibytes) => mebibytes * MiB),
      freeShare: fc.double({ min: 0, max: 1, noNaN: true }),
      availableShare: fc.double({ min: 0, max: 1, noNaN: true }),
      reclaimableShare: fc.double({ min: 0, max: 1, noNaN: true }),
      host: fc.option(fc.record({ total: size, available: size, vmmem: fc.option(size, { nil: null }) }), { nil: null }),
      stall: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
      linuxKnown: fc.boolean(),
    })
    .map(({ environment, total, freeShare, availableShare, reclaimableShare, host, stall, linuxKnown }) => {
      const free = Math.floor(total * freeShare);
      const reclaimable = Math.floor((total - free) * reclaimableShare);
      const linux = linuxKnown ? linuxMemory({ total, free, available: Math.floor(total * availableShare), reclaimable }) : null;
      return snapshot({ environment, linux, host, stall });
    });
  const configArb = fc
    .record({
      enabled: fc.boolean(),
      policy: fc.constantFrom('dynamic', 'aggressive', 'conservative', 'scheduled' as const),
      linux_min_mb: fc.integer({ min: 0, max: 8192 }),
      emergency_threshold_percent: fc.double({ min: 0, max: 100, noNaN: true }),
      host_target_available_percent: fc.double({ min: 0, max: 100, noNaN: true }),
      min_waste_mb: fc.integer({ min: 0, max: 4096 }),
      target_reclaim_mb: fc.integer({ min: 1, max: 65_536 }),
      auto_pause: fc.boolean(),
    })
    .map((c) =>
      configWith((config) => {
        config.governor.enabled = c.enabled;
        config.governor.policy = c.policy;
        config.governor.linux_min_mb = c.linux_min_mb;
        config.governor.emergency_threshold_percent = c.emergency_threshold_percent;
        config.governor.dynamic.host_target_available_percent = c.host_target_available_percent;
        config.governor.dynamic.min_waste_mb = c.min_waste_mb;
        config.governor.aggressive.target_reclaim_mb = c.target_reclaim_mb;
        config.governor.aggressive.host_pressure_threshold_percent = 0;
        config.governor.conservative.host_critical_threshold_percent = 0;
        config.docker.auto_pause_idle_containers = c.auto_pause;
      }),
    );
  const nowArb = fc.integer({ min: 0, max: 2 * 86_400 }).map((seconds) => new Date(NOW.getTime() + seconds * 1000));

  test('a reclaim never crosses the floor and stays in the reclaimer range; disabled means nothing', () => {
    fc.assert(
      fc.property(snapshotArb, configArb, nowArb, (snap, config, now) => {
        const decision = decide(snap, createPolicyState(), config, now);
        if (!config.governor.enabled) expect(decision.kind).toBe('none');
        if (decision.kind !== 'reclaim') return;
        const view = viewMemory(snap);
        expect(view).not.toBeNull();
        if (view === null) return;
        const floor = config.governor.linux_min_mb * MiB;
        if (decision.targetBytes === null) {
          expect(decision.method).toBe('full');
          expect(view.linuxHeld - view.reclaimable).toBeGreaterThanOrEqual(floor);
        } else {
          expect(Number.isInteger(decision.targetBytes)).toBe(true);
          expect(decision.targetBytes).toBeGreaterThanOrEqual(MiB);
          expect(decision.targetBytes).toBeLessThanOrEqual(Math.min(64 * GiB, view.linuxHeld - floor));
        }
        if (decision.policy === 'emergency') expect(view.hostAvailablePercent).toBeLessThan(config.governor.emergency_threshold_percent);
        else expect(snap.pressure === null || snap.pressure.some.avg10 <= config.governor.psi_some_avg10_max).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
