/** What a program printed and how it ended: stdout and stderr decoded, each without its final newline. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Kills the program when it aborts; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The exec port: runs a program with a fixed argv, never through a shell, and resolves with its
 * output whatever its exit code. Rejects with an `ExecError` when the program cannot start or a
 * signal kills it, and with `options.signal`'s reason when that aborts. `createExec()` is the
 * real one; tests pass a function of this shape.
 */
export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;
