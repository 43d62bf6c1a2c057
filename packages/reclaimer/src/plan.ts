import { ReclaimError } from './errors.js';
import type { CgroupLayout, ReclaimAction, ReclaimFallback, StepName } from './types.js';
import type { ValidatedRequest } from './validate.js';

/** One step the reclaimer will take, decided before anything runs. */
export type PlannedStep =
  | { name: StepName; action: ReclaimAction; note?: string }
  /** v2 `memory.reclaim`; `bytes: null` means "what the cgroup holds as reclaimable", read when the step runs. */
  | { name: 'cgroup_reclaim'; memoryReclaim: { cgroup: string; bytes: number | null } }
  | { name: StepName; failed: ReclaimError };

export interface ReclaimPlan {
  steps: PlannedStep[];
  fallback?: ReclaimFallback;
}

function dropCaches(request: ValidatedRequest, level: 1 | 2 | 3): PlannedStep[] {
  const steps: PlannedStep[] = [];
  if (request.sync) steps.push({ name: 'sync', action: { kind: 'sync' } });
  steps.push({ name: 'drop_caches', action: { kind: 'drop_caches', level } });
  return steps;
}

const COMPACT: PlannedStep = { name: 'compact_memory', action: { kind: 'compact_memory' } };

/**
 * Turns a validated request and the machine's cgroup layout (or the error reading it) into
 * steps. Pure: the same inputs always give the same plan.
 */
export function planReclaim(request: ValidatedRequest, layout: CgroupLayout | ReclaimError): ReclaimPlan {
  const plan = planMethod(request, layout);
  // `compact` asks for compaction after a method that does not compact on its own.
  if (request.compact && (request.method === 'drop_caches' || request.method === 'cgroup_reclaim')) plan.steps.push(COMPACT);
  return plan;
}

function planMethod(request: ValidatedRequest, layout: CgroupLayout | ReclaimError): ReclaimPlan {
  switch (request.method) {
    case 'drop_caches':
      return { steps: dropCaches(request, request.level) };
    case 'compact_memory':
      return { steps: [COMPACT] };
    case 'full':
      return { steps: [...dropCaches(request, request.level), COMPACT] };
    case 'cgroup_reclaim':
      break;
  }
  if (request.cgroup === null) {
    if (!(layout instanceof ReclaimError) && layout.v2Memory !== null) {
      return { steps: [{ name: 'cgroup_reclaim', memoryReclaim: { cgroup: '', bytes: request.targetBytes } }] };
    }
    // As WSL's own reclaimer does where memory.reclaim is missing: drop the page cache.
    const reason =
      layout instanceof ReclaimError
        ? `the cgroup mounts could not be read (${layout.message}); dropped the page cache instead`
        : 'no cgroup v2 memory controller is mounted, so the root cgroup has no memory.reclaim; dropped the page cache instead';
    return { steps: dropCaches(request, 1), fallback: { from: 'cgroup_reclaim', to: 'drop_caches', reason } };
  }
  if (layout instanceof ReclaimError) return { steps: [{ name: 'cgroup_reclaim', failed: layout }] };
  if (layout.v2Memory !== null) return { steps: [{ name: 'cgroup_reclaim', memoryReclaim: { cgroup: request.cgroup, bytes: request.targetBytes } }] };
  if (layout.v1Memory !== null) {
    const step: PlannedStep = { name: 'cgroup_reclaim', action: { kind: 'force_empty', cgroup: request.cgroup } };
    if (request.targetBytes !== null) step.note = 'cgroup v1 memory.force_empty reclaims all it can; a byte target does not apply';
    return { steps: [step] };
  }
  return {
    steps: [{ name: 'cgroup_reclaim', failed: new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'no memory cgroup controller is mounted (neither cgroup v2 with memory nor the v1 memory hierarchy)') }],
  };
}
