import { MAX_TARGET_BYTES, MIN_TARGET_BYTES } from '@gov/reclaimer';
import { errorSummary } from './error-summary.js';
import type { ContainerMemory } from './usage.js';

/** The part of `@gov/reclaimer` pausing and pod reclaims need: reclaim one cgroup. */
export interface CgroupReclaimPort {
  reclaim(request: { method: 'cgroup_reclaim'; cgroup: string; targetBytes?: number; dryRun?: boolean }): Promise<{
    steps: { name: string; status: 'ok' | 'skipped' | 'failed'; error?: { code: string; message: string }; detail?: string }[];
  }>;
}

/** What reclaiming one cgroup's page cache did. */
export interface CacheReclaim {
  status: 'ok' | 'skipped' | 'failed';
  targetBytes: number | null;
  detail: string;
}

/**
 * Reclaims the page cache a cgroup holds (its `cache − shmem`, which is what it can give back
 * without swap), through the reclaimer; a failure is reported, never thrown.
 */
export async function reclaimCgroupCache(reclaimer: CgroupReclaimPort, cgroup: string | null, before: ContainerMemory | null, whose: string): Promise<CacheReclaim> {
  if (cgroup === null) return { status: 'skipped', targetBytes: null, detail: `${whose} cgroup is not on this machine` };
  const reclaimable = before === null ? 0 : Math.max(0, before.cache - before.shmem);
  if (reclaimable < MIN_TARGET_BYTES) return { status: 'skipped', targetBytes: null, detail: 'it holds less than 1 MiB of page cache' };
  const targetBytes = Math.min(reclaimable, MAX_TARGET_BYTES);
  try {
    const result = await reclaimer.reclaim({ method: 'cgroup_reclaim', cgroup, targetBytes });
    const failed = result.steps.find((step) => step.status === 'failed');
    if (failed) return { status: 'failed', targetBytes, detail: failed.error?.message ?? `${failed.name} failed` };
    const ran = result.steps.filter((step) => step.status === 'ok');
    if (ran.length === 0) return { status: 'skipped', targetBytes, detail: result.steps.map((step) => step.detail ?? step.name).join('; ') || 'nothing ran' };
    return { status: 'ok', targetBytes, detail: ran.map((step) => step.detail ?? step.name).join('; ') };
  } catch (error) {
    return { status: 'failed', targetBytes, detail: errorSummary(error).message };
  }
}
