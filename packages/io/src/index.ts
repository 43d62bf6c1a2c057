export type { AtomicWriteFs, AtomicWriteHandle, WriteFileAtomicOptions } from './atomic-write.js';
export { errnoOf, ExecError, TimeoutError } from './errors.js';
export { createExec } from './exec.js';
export type { CreateExecOptions } from './exec.js';
export type { Exec, ExecOptions, ExecResult } from './exec-port.js';
export { syncDirectory, writeFileAtomic } from './node-write.js';
export { createDeadline, systemTimers, withDeadline } from './timers.js';
export type { Deadline, DeadlineOptions, Timers, WithDeadlineOptions } from './timers.js';
export { isWslDistroName, WSL_DISTRO_NAME_RULE, wslDistroNameProblem } from './wsl-distro.js';
