import type { Snapshot } from '@gov/meminfo';
import type { GovConfig } from './config-schema.js';
import { viewMemory, withinFloor, type Decision, type ReclaimDecision } from './decide.js';
import type { Advice } from './ports.js';

const MiB = 1024 * 1024;

/**
 * The decision as taken after the advisor's word on it. Pure. `allow` keeps it; `veto` turns it
 * into nothing (code `advisor-veto`); `shrink` only ever lowers the target and never below the
 * 1 MiB a reclaim needs; `raise` only ever raises it, and the raised target goes through the
 * `linux_min_mb` floor and the reclaimer's range again. Every change is said in the reason.
 */
export function applyAdvice(decision: ReclaimDecision, advice: Advice, snapshot: Snapshot, config: GovConfig): Decision {
  if (advice.verdict === 'allow') return decision;
  if (advice.verdict === 'raise') {
    const view = viewMemory(snapshot);
    const current = decision.targetBytes;
    if (view === null || current === null || !(advice.targetBytes > current)) return decision;
    const raised = withinFloor(view, config, decision.policy, decision.code, 'cgroup_reclaim', advice.targetBytes, decision.reason);
    if (raised.kind !== 'reclaim' || raised.targetBytes === null || raised.targetBytes <= current) return decision;
    return { ...raised, reason: `${raised.reason}; advisor raised it to ${Math.round(raised.targetBytes / MiB)} MiB: ${advice.reason}` };
  }
  if (advice.verdict === 'veto') return { kind: 'none', policy: decision.policy, code: 'advisor-veto', reason: `${decision.reason}; advisor vetoed: ${advice.reason}` };
  const current = decision.targetBytes ?? Number.POSITIVE_INFINITY;
  const target = Math.floor(Math.min(advice.targetBytes, current));
  if (!(target >= MiB)) return { kind: 'none', policy: decision.policy, code: 'advisor-veto', reason: `${decision.reason}; advisor shrank it below 1 MiB: ${advice.reason}` };
  if (target === current) return decision;
  return { ...decision, method: 'cgroup_reclaim', targetBytes: target, reason: `${decision.reason}; advisor shrank it to ${Math.round(target / MiB)} MiB: ${advice.reason}` };
}
