import { withDeadline, type Timers } from '@gov/io';
import { parseMemoryStat, readLinuxMemory, type LinuxMemory } from '@gov/meminfo';
import { MAX_TARGET_BYTES, MIN_TARGET_BYTES } from './catalogue.js';
import { createDryRunExecutor } from './dry-run-executor.js';
import { isReclaimError, ReclaimError } from './errors.js';
import { createLocalExecutor } from './local-executor.js';
import { processReclaimLock, type ReclaimLock } from './lock.js';
import { planReclaim, type PlannedStep } from './plan.js';
import type { ActionOutcome, CgroupLayout, CgroupUsage, ReclaimAction, ReclaimExecutor, ReclaimRequest, ReclaimResult, ReclaimStep } from './types.js';
import { validateRequest } from './validate.js';

export interface ReclaimerOptions {
  /** Runs the actions; default `createLocalExecutor()`. */
  executor?: ReclaimExecutor;
  /** Reads Linux memory before and after; default `readLinuxMemory()` of `@gov/meminfo`. */
  readMemory?: () => Promise<LinuxMemory>;
  /** When another reclaim holds the lock: wait for it (default) or fail with `GOV_RECLAIM_BUSY`. */
  whenBusy?: 'wait' | 'fail';
  /**
   * Shared by every reclaimer of the process unless replaced; `createFileReclaimLock` shares one
   * between processes.
   */
  lock?: ReclaimLock;
  /** How long one step may take before it is recorded as `GOV_RECLAIM_TIMEOUT`; default 120 s. */
  stepTimeoutMs?: number;
  /** Monotonic milliseconds; default `performance.now()`. */
  now?: () => number;
  /** The step timeouts' timers; default the host's. */
  timers?: Timers;
}

/** What one call may ask besides the request. */
export interface ReclaimCallOptions {
  /** Overrides the reclaimer's `whenBusy` for this call. */
  whenBusy?: 'wait' | 'fail';
}

export interface Reclaimer {
  /**
   * Runs one request of the catalogue. Rejects only for a request that is not valid
   * (`GOV_RECLAIM_INVALID_*`, before anything runs), with `whenBusy: 'fail'` with
   * `GOV_RECLAIM_BUSY`, or when the lock cannot be taken at all (`GOV_RECLAIM_PERMISSION`).
   * Every failure while running is recorded in its step.
   */
  reclaim(request: ReclaimRequest, options?: ReclaimCallOptions): Promise<ReclaimResult>;
}

function toStepError(error: unknown): { code: ReclaimError['code']; message: string } {
  if (isReclaimError(error)) return { code: error.code, message: error.message };
  return { code: 'GOV_RECLAIM_FAILED', message: error instanceof Error ? error.message : String(error) };
}

/** `file − shmem` of a v2 `memory.stat`: the page cache memory.reclaim can drop. */
function reclaimableFileBytes(statText: string): number {
  const stat = parseMemoryStat(statText);
  const file = stat['file'];
  if (file === undefined) throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'memory.stat has no "file" line; give a target in bytes');
  return Math.max(0, file - (stat['shmem'] ?? 0));
}

const mountOrNull = (value: unknown) => value === null || typeof value === 'string';
const isCgroupLayout = (value: unknown): value is CgroupLayout => typeof value === 'object' && value !== null && mountOrNull((value as CgroupLayout).v2Memory) && mountOrNull((value as CgroupLayout).v1Memory);

/** The rise of `MemFree`, never negative; 0 when either reading is missing or not a number (a custom `readMemory` that misbehaves). */
/** A difference of two memory readings as bytes freed: never negative, never NaN (garbage readings count as 0). */
function freedFrom(difference: number): number {
  return Number.isFinite(difference) ? Math.max(0, difference) : 0;
}

/** Creates the reclaimer: the only way `gov` changes the kernel's memory state. */
export function createReclaimer(options: ReclaimerOptions = {}): Reclaimer {
  const executor = options.executor ?? createLocalExecutor();
  const readMemory = options.readMemory ?? (() => readLinuxMemory());
  const whenBusy = options.whenBusy ?? 'wait';
  const lock = options.lock ?? processReclaimLock;
  const stepTimeoutMs = options.stepTimeoutMs ?? 120_000;
  const now = options.now ?? (() => performance.now());

  /** Work that outlived its step's timeout: the lock is kept until it settles. */
  const pending = new Set<Promise<unknown>>();

  function withinStepTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    const tracked = work.finally(() => pending.delete(tracked));
    pending.add(tracked);
    return withDeadline(stepTimeoutMs, () => tracked, {
      timers: options.timers,
      timeoutError: () => new ReclaimError('GOV_RECLAIM_TIMEOUT', `${what} did not finish within ${stepTimeoutMs} ms`, { timedOut: true }),
    });
  }

  async function readMemoryOrNull(): Promise<LinuxMemory | null> {
    try {
      return await readMemory();
    } catch {
      return null;
    }
  }

  async function readCgroupUsageOrNull(runner: ReclaimExecutor, cgroup: string): Promise<CgroupUsage | null> {
    if (!runner.readCgroupUsage) return null;
    try {
      return await withinStepTimeout(runner.readCgroupUsage(cgroup), 'reading the cgroup memory');
    } catch {
      return null;
    }
  }

  async function runStep(step: PlannedStep, runner: ReclaimExecutor, before: LinuxMemory | null): Promise<ReclaimStep> {
    const started = now();
    const finish = (fields: Omit<ReclaimStep, 'name' | 'durationMs'>): ReclaimStep => ({ name: step.name, ...fields, durationMs: Math.round(now() - started) });
    const doneStatus = runner.dryRun ? 'skipped' : 'ok';
    const say = (action: ReclaimAction, outcome: ActionOutcome, extra?: string) =>
      [`${runner.dryRun ? 'would ' : ''}${runner.describe(action)}`, extra, outcome.note].filter(Boolean).join('; ');
    try {
      if ('failed' in step) throw step.failed;
      if ('action' in step) {
        const outcome = await withinStepTimeout(runner.run(step.action), step.name);
        return finish({ status: doneStatus, detail: say(step.action, outcome, step.note) });
      }
      const { cgroup } = step.memoryReclaim;
      let bytes = step.memoryReclaim.bytes;
      let sized: string | undefined;
      if (bytes === null) {
        const reclaimable = cgroup === '' ? before?.reclaimable : reclaimableFileBytes(await withinStepTimeout(runner.readCgroupStat(cgroup), 'reading memory.stat'));
        if (reclaimable === undefined) throw new ReclaimError('GOV_RECLAIM_INVALID_TARGET', 'no target was given and memory could not be read to choose one');
        if (reclaimable < MIN_TARGET_BYTES) return finish({ status: 'skipped', detail: `nothing to reclaim: ${reclaimable} bytes of reclaimable cache, less than 1 MiB` });
        bytes = Math.min(reclaimable, MAX_TARGET_BYTES);
        sized = `target ${bytes} bytes: what the cgroup holds as reclaimable cache`;
      }
      const action: ReclaimAction = { kind: 'memory_reclaim', cgroup, bytes, swappiness: true };
      try {
        const outcome = await withinStepTimeout(runner.run(action), step.name);
        return finish({ status: doneStatus, detail: say(action, outcome, sized) });
      } catch (error) {
        // Kernels before `swappiness=` answer EINVAL to the keyword: retry with the byte count alone.
        const refusedKeyword = isReclaimError(error) && error.code === 'GOV_RECLAIM_FAILED' && (error.errno === 'EINVAL' || error.errno === undefined);
        if (!refusedKeyword) throw error;
        const plain: ReclaimAction = { ...action, swappiness: false };
        const outcome = await withinStepTimeout(runner.run(plain), step.name);
        return finish({ status: doneStatus, detail: say(plain, outcome, [sized, `the kernel refused "swappiness=0" (${error.errno ?? error.message})`].filter(Boolean).join('; ')) });
      }
    } catch (error) {
      return finish({ status: 'failed', error: toStepError(error) });
    }
  }

  async function execute(request: ReturnType<typeof validateRequest>): Promise<ReclaimResult> {
    const runner = request.dryRun && !executor.dryRun ? createDryRunExecutor({ base: executor }) : executor;
    const started = now();
    const before = await readMemoryOrNull();
    let layout: CgroupLayout | ReclaimError = { v2Memory: null, v1Memory: null };
    if (request.method === 'cgroup_reclaim') {
      try {
        layout = await withinStepTimeout(runner.readCgroupLayout(), 'reading the cgroup mounts');
        // An executor of someone else's making may answer anything: a failed step, never a TypeError.
        if (!isCgroupLayout(layout)) throw new ReclaimError('GOV_RECLAIM_UNSUPPORTED', `the executor answered no cgroup layout (${JSON.stringify(layout) ?? String(layout)})`);
      } catch (error) {
        layout = isReclaimError(error) ? error : new ReclaimError('GOV_RECLAIM_UNSUPPORTED', `the cgroup mounts could not be read: ${toStepError(error).message}`, { cause: error });
      }
    }
    const plan = planReclaim(request, layout);
    // A reclaim of one cgroup is measured on that cgroup: MemFree misses pages still on per-CPU lists.
    const target = request.method === 'cgroup_reclaim' && request.cgroup !== null && !plan.fallback ? request.cgroup : null;
    const readTarget = (cgroup: string | null) => (cgroup === null ? Promise.resolve(null) : readCgroupUsageOrNull(runner, cgroup));
    const cgroupBefore = await readTarget(target);
    const steps: ReclaimStep[] = [];
    for (const step of plan.steps) steps.push(await runStep(step, runner, before));
    const after = runner.dryRun ? null : await readMemoryOrNull();
    const cgroupAfter = runner.dryRun ? null : await readTarget(target);
    const onCgroup = cgroupBefore !== null && (runner.dryRun || cgroupAfter !== null);
    const freedBytes = cgroupBefore && cgroupAfter ? freedFrom(cgroupBefore.usage - cgroupAfter.usage) : before && after ? freedFrom(after.free - before.free) : 0;
    return {
      method: request.method,
      targetBytes: request.targetBytes,
      steps,
      before,
      after,
      freedBytes,
      freedMeasure: onCgroup ? 'cgroup' : 'machine',
      ...(target === null ? {} : { cgroup: { path: target, before: cgroupBefore, after: cgroupAfter } }),
      durationMs: Math.round(now() - started),
      dryRun: runner.dryRun,
      ...(plan.fallback ? { fallback: plan.fallback } : {}),
    };
  }

  return {
    async reclaim(input, call = {}) {
      const request = validateRequest(input);
      if (request.dryRun || executor.dryRun) return execute(request);
      const release = await lock.acquire(call.whenBusy ?? whenBusy);
      try {
        return await execute(request);
      } finally {
        // Released before the result is handed back, so the caller may reclaim again at once.
        if (pending.size === 0) await release();
        else void Promise.allSettled([...pending]).then(release);
      }
    },
  };
}
