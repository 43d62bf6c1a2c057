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

/** Records what would run and touches nothing: reads of the mount table aside, no IO at all. */
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
      planned.push({ action, description: base.describe(action) });
      return {};
    },
  };
}
