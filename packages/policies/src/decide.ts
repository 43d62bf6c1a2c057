import type { LinuxMemory, Snapshot } from '@gov/meminfo';
import { wasteBytes } from '@gov/meminfo/model';
import { MAX_TARGET_BYTES, MIN_TARGET_BYTES, type ReclaimMethod as CatalogueMethod } from '@gov/reclaimer/catalogue';
import type { GovConfig, PolicyName } from './config-schema.js';
import { localMinute, observeSnapshot, type PolicyState } from './state.js';

const MiB = 1024 * 1024;

/** The policy that made a decision: the configured one, or the emergency rule that overrides it. */
export type DecisionPolicy = PolicyName | 'emergency';
export type ReclaimMethod = Extract<CatalogueMethod, 'cgroup_reclaim' | 'full' | 'drop_caches'>;

/** Why a decision was made, as a short stable word (a metrics label); `reason` says it in full. */
export type DecisionCode =
  | 'disabled'
  | 'no-data'
  | 'emergency'
  | 'memory-stall'
  | 'host-ok'
  | 'low-waste'
  | 'host-below-target'
  | 'linux-above-max'
  | 'host-pressure'
  | 'host-critical'
  | 'scheduled'
  | 'not-scheduled'
  | 'cooldown'
  | 'floor'
  | 'target-too-small'
  | 'advisor-veto';

export interface NoneDecision {
  kind: 'none';
  policy: DecisionPolicy;
  code: DecisionCode;
  reason: string;
}

export interface ReclaimDecision {
  kind: 'reclaim';
  policy: DecisionPolicy;
  method: ReclaimMethod;
  /** Bytes to reclaim; `null` for `full`, which gives back whatever it can. */
  targetBytes: number | null;
  code: DecisionCode;
  reason: string;
}

export interface PauseIdleDecision {
  kind: 'pause-idle-containers';
  policy: DecisionPolicy;
  code: DecisionCode;
  reason: string;
}

/** On a Kubernetes node: reclaim the page cache of idle pods' cgroups (pods are never paused). */
export interface ReclaimIdlePodsDecision {
  kind: 'reclaim-idle-pods';
  policy: DecisionPolicy;
  code: DecisionCode;
  reason: string;
}

export type Decision = NoneDecision | ReclaimDecision | PauseIdleDecision | ReclaimIdlePodsDecision;

/** The memory figures every policy works from, derived once per snapshot. */
export interface MemoryView {
  hostTotal: number;
  hostAvailable: number;
  hostAvailablePercent: number;
  hostUsedPercent: number;
  /** What the Linux VM/machine holds: `vmmem` where known, else `MemTotal − MemFree`. */
  linuxHeld: number;
  /** Held for nothing: `vmmem − actualUsage` where `vmmem` is known, else `reclaimable`. */
  waste: number;
  reclaimable: number;
  linux: LinuxMemory;
}

/**
 * Host memory is Windows in `windows`/`wsl-guest` and this machine in `linux`; when a snapshot
 * has no host reading on plain Linux, `/proc/meminfo` is the host.
 */
export function viewMemory(snapshot: Snapshot): MemoryView | null {
  const linux = snapshot.linux;
  if (linux === null) return null;
  const host = snapshot.host ?? (snapshot.environment === 'linux' ? { total: linux.total, available: linux.available, vmmem: null } : null);
  if (host === null || !(host.total > 0)) return null;
  const hostAvailablePercent = (host.available / host.total) * 100;
  const vmmem = host.vmmem;
  return {
    hostTotal: host.total,
    hostAvailable: host.available,
    hostAvailablePercent,
    hostUsedPercent: 100 - hostAvailablePercent,
    linuxHeld: vmmem ?? linux.total - linux.free,
    waste: wasteBytes({ linux, host }) ?? linux.reclaimable,
    reclaimable: linux.reclaimable,
    linux,
  };
}

const mib = (bytes: number) => (Math.abs(bytes) < MiB ? `${Math.round(bytes / 1024)} KiB` : `${Math.round(bytes / MiB)} MiB`);
const pct = (value: number) => `${Math.round(value * 10) / 10}%`;

const none = (policy: DecisionPolicy, code: DecisionCode, reason: string): NoneDecision => ({ kind: 'none', policy, code, reason });

/**
 * Applies the safety floor: Linux must keep at least `linux_min_mb`. A `full` reclaim that could
 * take Linux below it becomes a `cgroup_reclaim` of what is above the floor; a target is clamped
 * to the room above the floor and to the reclaimer's range.
 */
export function withinFloor(view: MemoryView, config: GovConfig, policy: DecisionPolicy, code: DecisionCode, method: ReclaimMethod, targetBytes: number | null, reason: string): Decision {
  const floor = config.governor.linux_min_mb * MiB;
  const room = view.linuxHeld - floor;
  if (room < MIN_TARGET_BYTES) return none(policy, 'floor', `${reason}, but Linux holds ${mib(view.linuxHeld)}, at the ${mib(floor)} floor`);
  if (targetBytes === null) {
    if (view.linuxHeld - view.reclaimable >= floor) return { kind: 'reclaim', policy, method, targetBytes: null, code, reason };
    const bounded = Math.min(Math.floor(room), MAX_TARGET_BYTES);
    return { kind: 'reclaim', policy, method: 'cgroup_reclaim', targetBytes: bounded, code, reason: `${reason}; limited to ${mib(bounded)} by the ${mib(floor)} floor` };
  }
  const bounded = Math.min(Math.floor(targetBytes), Math.floor(room), MAX_TARGET_BYTES);
  if (bounded < MIN_TARGET_BYTES) return none(policy, 'target-too-small', `${reason}, but ${mib(bounded)} is below the 1 MiB a reclaim needs`);
  const limited = bounded < Math.floor(targetBytes) && bounded === Math.floor(room) ? `; limited to ${mib(bounded)} by the ${mib(floor)} floor` : '';
  return { kind: 'reclaim', policy, method, targetBytes: bounded, code, reason: `${reason}${limited}` };
}

interface PolicyContext {
  view: MemoryView;
  state: PolicyState;
  config: GovConfig;
  now: Date;
}

/** The interval of an interval-based policy, stretched by the backoff factor. */
function intervalMs(seconds: number, state: PolicyState): number {
  return seconds * 1000 * state.backoff.factor;
}

function sinceMs(iso: string | null, now: Date): number {
  return iso === null ? Number.POSITIVE_INFINITY : now.getTime() - Date.parse(iso);
}

/**
 * The host is under pressure but a reclaim is not possible now (cooldown, too little waste, the
 * floor): act on idle workloads instead when an idle action has not been tried within the
 * interval — pause idle containers when auto-pause is on, else reclaim the page cache of idle
 * pods when `kubernetes.reclaim_idle_pods` is on; otherwise keep the blocked decision.
 */
function orPauseIdle(blocked: Decision, context: PolicyContext, interval: number): Decision {
  const { config, state, now } = context;
  const pods = config.kubernetes.reclaim_idle_pods;
  if (blocked.kind !== 'none' || !(config.docker.auto_pause_idle_containers || pods)) return blocked;
  if (sinceMs(state.lastPauseAt, now) < interval) return blocked;
  const cause = { policy: blocked.policy, code: blocked.code };
  if (config.docker.auto_pause_idle_containers) return { kind: 'pause-idle-containers', ...cause, reason: `${blocked.reason}; pausing containers idle for ${config.docker.idle_container_threshold_minutes} min instead` };
  return { kind: 'reclaim-idle-pods', ...cause, reason: `${blocked.reason}; reclaiming the page cache of pods idle for ${config.kubernetes.idle_pod_minutes} min instead` };
}

function cooldown(policy: DecisionPolicy, context: PolicyContext, interval: number, pressure: string): NoneDecision | null {
  const since = sinceMs(context.state.lastReclaimAt, context.now);
  if (since >= interval) return null;
  const factor = context.state.backoff.factor > 1 ? ` (×${context.state.backoff.factor} backoff)` : '';
  return none(policy, 'cooldown', `${pressure}, but the last reclaim was ${Math.round(since / 1000)} s ago; interval ${Math.round(interval / 1000)} s${factor}`);
}

function decideDynamic(context: PolicyContext): Decision {
  const { view, config } = context;
  const settings = config.governor.dynamic;
  const interval = intervalMs(settings.reclaim_interval_secs, context.state);
  const minWaste = settings.min_waste_mb * MiB;
  const max = config.governor.linux_max_mb * MiB;
  const hostLow = view.hostAvailablePercent < settings.host_target_available_percent;
  const aboveMax = view.linuxHeld > max;

  if (!hostLow && !aboveMax) {
    return none('dynamic', 'host-ok', `host has ${pct(view.hostAvailablePercent)} available (target ${settings.host_target_available_percent}%) and Linux holds ${mib(view.linuxHeld)} (max ${mib(max)})`);
  }
  const pressure = hostLow ? `host has ${pct(view.hostAvailablePercent)} available, below the ${settings.host_target_available_percent}% target` : `Linux holds ${mib(view.linuxHeld)}, above the ${mib(max)} max`;
  const blockedByCooldown = cooldown('dynamic', context, interval, pressure);
  if (blockedByCooldown) return orPauseIdle(blockedByCooldown, context, interval);

  let target = 0;
  let code: DecisionCode = 'host-below-target';
  if (hostLow && view.waste > minWaste) {
    const deficit = (view.hostTotal * settings.host_target_available_percent) / 100 - view.hostAvailable;
    target = Math.min(0.7 * view.waste, deficit);
  }
  if (aboveMax) {
    const down = Math.min(view.linuxHeld - max, view.waste);
    if (down > target) {
      target = down;
      code = 'linux-above-max';
    }
  }
  if (target <= 0) {
    return orPauseIdle(none('dynamic', 'low-waste', `${pressure}, but Linux holds only ${mib(view.waste)} for nothing (min ${settings.min_waste_mb} MiB)`), context, interval);
  }
  const reason = `${pressure}; ${mib(view.waste)} held for nothing, reclaiming ${mib(target)}`;
  return orPauseIdle(withinFloor(view, config, 'dynamic', code, 'cgroup_reclaim', target, reason), context, interval);
}

function decideAggressive(context: PolicyContext): Decision {
  const { view, config } = context;
  const settings = config.governor.aggressive;
  const interval = intervalMs(settings.reclaim_interval_secs, context.state);
  if (view.hostUsedPercent < settings.host_pressure_threshold_percent) {
    return none('aggressive', 'host-ok', `host ${pct(view.hostUsedPercent)} used, below the ${settings.host_pressure_threshold_percent}% threshold`);
  }
  const pressure = `host ${pct(view.hostUsedPercent)} used, at or above the ${settings.host_pressure_threshold_percent}% threshold`;
  const blocked = cooldown('aggressive', context, interval, pressure);
  if (blocked) return orPauseIdle(blocked, context, interval);
  const target = settings.target_reclaim_mb * MiB;
  return orPauseIdle(withinFloor(view, config, 'aggressive', 'host-pressure', 'cgroup_reclaim', target, `${pressure}; reclaiming ${settings.target_reclaim_mb} MiB`), context, interval);
}

function decideConservative(context: PolicyContext): Decision {
  const { view, config } = context;
  const settings = config.governor.conservative;
  const interval = intervalMs(settings.reclaim_interval_secs, context.state);
  if (view.hostUsedPercent < settings.host_critical_threshold_percent) {
    return none('conservative', 'host-ok', `host ${pct(view.hostUsedPercent)} used, below the ${settings.host_critical_threshold_percent}% critical threshold`);
  }
  const pressure = `host ${pct(view.hostUsedPercent)} used, at or above the ${settings.host_critical_threshold_percent}% critical threshold`;
  const blocked = cooldown('conservative', context, interval, pressure);
  if (blocked) return orPauseIdle(blocked, context, interval);
  return orPauseIdle(withinFloor(view, config, 'conservative', 'host-critical', 'full', null, `${pressure}; full reclaim`), context, interval);
}

function decideScheduled(context: PolicyContext): Decision {
  const { view, config, state, now } = context;
  const slot = localMinute(now);
  const hhmm = slot.slice(-5);
  if (!config.governor.scheduled.compact_times.includes(hhmm)) {
    return none('scheduled', 'not-scheduled', `${hhmm} is not one of the scheduled times (${config.governor.scheduled.compact_times.join(', ') || 'none'})`);
  }
  if (state.lastScheduledSlot === slot) return none('scheduled', 'not-scheduled', `the ${hhmm} reclaim already ran`);
  return withinFloor(view, config, 'scheduled', 'scheduled', 'full', null, `scheduled full reclaim at ${hhmm}`);
}

/**
 * Decides what to do with one snapshot. Pure: the same snapshot, state, config and time always
 * give the same decision.
 *
 * Order: disabled → no data → emergency (host available below `emergency_threshold_percent`:
 * `full` now, past cooldowns and the memory-stall gate) → memory-stall gate (PSI some avg10 above
 * `psi_some_avg10_max`: nothing) → the configured policy. The safety floor (`linux_min_mb`) bounds
 * every reclaim, emergency included.
 */
export function decide(snapshot: Snapshot, state: PolicyState, config: GovConfig, now: Date): Decision {
  const governor = config.governor;
  if (!governor.enabled) return none(governor.policy, 'disabled', 'governor.enabled is false');
  const view = viewMemory(snapshot);
  if (view === null) {
    const missing = snapshot.linux === null ? 'Linux memory' : 'host memory';
    const degraded = snapshot.degraded.map((source) => `${source.source}: ${source.message}`).join('; ');
    return none(governor.policy, 'no-data', `${missing} is unknown${degraded ? ` (${degraded})` : ''}`);
  }
  if (view.hostAvailablePercent < governor.emergency_threshold_percent) {
    return withinFloor(view, config, 'emergency', 'emergency', 'full', null, `host has ${pct(view.hostAvailablePercent)} available, below the ${governor.emergency_threshold_percent}% emergency threshold`);
  }
  const stall = snapshot.pressure?.some.avg10 ?? null;
  if (stall !== null && stall > governor.psi_some_avg10_max) {
    return none(governor.policy, 'memory-stall', `memory stall some avg10 ${stall}% is above ${governor.psi_some_avg10_max}%; reclaiming now would make it worse`);
  }
  const context: PolicyContext = { view, state: observeSnapshot(state, snapshot, config, now), config, now };
  switch (governor.policy) {
    case 'dynamic':
      return decideDynamic(context);
    case 'aggressive':
      return decideAggressive(context);
    case 'conservative':
      return decideConservative(context);
    case 'scheduled':
      return decideScheduled(context);
  }
}

/**
 * The state after a tick: this snapshot's vmstat, incidents and backoff, plus the decision taken.
 * A reclaim or idle action counts whether it succeeded, failed or ran dry: the cooldown protects the
 * machine either way. Pass the decision as finally taken (after the advisor).
 */
export function nextState(state: PolicyState, snapshot: Snapshot, decision: Decision, config: GovConfig, now: Date): PolicyState {
  const observed = observeSnapshot(state, snapshot, config, now);
  const at = now.toISOString();
  if (decision.kind === 'reclaim') {
    return { ...observed, lastReclaimAt: at, lastScheduledSlot: decision.policy === 'scheduled' ? localMinute(now) : observed.lastScheduledSlot };
  }
  if (decision.kind === 'pause-idle-containers' || decision.kind === 'reclaim-idle-pods') return { ...observed, lastPauseAt: at };
  return observed;
}
