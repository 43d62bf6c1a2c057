export { findCgroupMounts, hasMemoryController, parseMountinfo, parseProcMounts, resolveCgroupFile } from './cgroup.js';
export type { CgroupMounts, MountEntry, RealpathFs } from './cgroup.js';
export { createDryRunExecutor } from './dry-run-executor.js';
export type { DryRunExecutor, DryRunExecutorOptions } from './dry-run-executor.js';
export { isReclaimError, ReclaimError } from './errors.js';
export type { ReclaimErrorCode, ReclaimErrorDetails } from './errors.js';
export { createLocalExecutor } from './local-executor.js';
export type { LocalExecutorOptions, ReclaimFs, RunSync } from './local-executor.js';
export { createReclaimLock, processReclaimLock } from './lock.js';
export type { ReclaimLock } from './lock.js';
export { planReclaim } from './plan.js';
export type { PlannedStep, ReclaimPlan } from './plan.js';
export { createReclaimer } from './reclaimer.js';
export type { Reclaimer, ReclaimerOptions } from './reclaimer.js';
export type {
  ActionOutcome,
  CgroupLayout,
  CgroupUsage,
  DropCachesLevel,
  FreedMeasure,
  ReclaimAction,
  ReclaimExecutor,
  ReclaimFallback,
  ReclaimMethod,
  ReclaimRequest,
  ReclaimResult,
  ReclaimStep,
  StepName,
  StepStatus,
} from './types.js';
export { formatTargetDigits, MAX_TARGET_BYTES, MIN_TARGET_BYTES, RECLAIM_METHODS, validateCgroupPath, validateRequest, validateTargetBytes } from './validate.js';
export type { ValidatedRequest } from './validate.js';
export { createWslExecutor, decodeWslOutput, validateDistro, WSL_CGROUP_V2_ROOT, wslArgv } from './wsl-executor.js';
export type { ProgramResult, RunProgram, WslExecutorOptions } from './wsl-executor.js';
