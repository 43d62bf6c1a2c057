// The part of the kit with no Node import: safe for the pure libraries and in a browser.
export { syncDirectory, writeFileAtomic } from './atomic-write.js';
export type { AtomicWriteFs, AtomicWriteHandle, WriteFileAtomicOptions } from './atomic-write.js';
export { errnoOf, ExecError, TimeoutError } from './errors.js';
export type { Exec, ExecOptions, ExecResult } from './exec-port.js';
export { createDeadline, systemTimers, withDeadline } from './timers.js';
export type { Deadline, DeadlineOptions, Timers, WithDeadlineOptions } from './timers.js';
export { isWslDistroName, WSL_DISTRO_NAME_RULE, wslDistroNameProblem } from './wsl-distro.js';
