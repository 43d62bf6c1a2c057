import { createLocalExecutor } from './local-executor.js';
import type { ActionOutcome, CgroupLayout, ReclaimAction, ReclaimExecutor } from './types.js';

export interface DryRunExecutorOptions {
  /** The executor whose actions are described and whose mounts are read; default local. */
  base?: ReclaimExecutor;
  /** Use this layout instead of asking the base executor. */
  cgroupLayout?: CgroupLayout;
}

export interface DryRunExecutor extends ReclaimExecutor {
  /** Every action `run` was asked for, in order, with what it would have done. */
  readonly planned: readonly { action: ReclaimAction; description: string }[];
}

/**
 * Records what would run and touches nothing: it reads the mount table and checks the cgroup an
 * action names (through the base executor's `check`), so a dry run refuses what the real run
 * would, and writes nothing.
 */
export function createDryRunExecutor(options: DryRunExecutorOptions = {}): DryRunExecutor {
  const base = options.base ?? createLocalExecutor();
  const planned: { action: ReclaimAction; description: string }[] = [];
  return {
    kind: 'dry-run',
    dryRun: true,
    planned,
    readCgroupLayout: () => (options.cgroupLayout ? Promise.resolve(options.cgroupLayout) : base.readCgroupLayout()),
    readCgroupStat: (cgroup) => base.readCgroupStat(cgroup),
    ...(base.readCgroupUsage ? { readCgroupUsage: base.readCgroupUsage.bind(base) } : {}),
    describe: (action) => base.describe(action),
    async run(action): Promise<ActionOutcome> {
      const description = base.describe(action);
      await base.check?.(action);
      planned.push({ action, description });
      return {};
    },
  };
}
