export { MAX_TARGET_BYTES, MIN_TARGET_BYTES, normaliseReclaimMethod, RECLAIM_METHOD_ALIASES, RECLAIM_METHOD_NAMES, RECLAIM_METHODS } from './catalogue.js';
export type { ReclaimMethodAlias } from './catalogue.js';
export { createDryRunExecutor } from './dry-run-executor.js';
export type { DryRunExecutor, DryRunExecutorOptions } from './dry-run-executor.js';
export { isReclaimError, ReclaimError } from './errors.js';
export type { ReclaimErrorCode, ReclaimErrorDetails } from './errors.js';
export { createLocalExecutor } from './local-executor.js';
export type { LocalExecutorOptions, ReclaimFs } from './local-executor.js';
export { createFileReclaimLock } from './file-lock.js';
export type { FileReclaimLockOptions, LockFs } from './file-lock.js';
export { createReclaimLock } from './lock.js';
export type { ReclaimLock } from './lock.js';
export { createReclaimer } from './reclaimer.js';
export type { ReclaimCallOptions, Reclaimer, ReclaimerOptions } from './reclaimer.js';
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
export { validateRequest, validateTargetBytes } from './validate.js';
export type { ValidatedRequest } from './validate.js';
export { createWslExecutor } from './wsl-executor.js';
export type { WslExecutorOptions } from './wsl-executor.js';
