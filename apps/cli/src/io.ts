import type { CommandSpec } from './spec.js';

/** What a command may touch of the process: passed in so commands stay testable. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM; long-running commands (`--watch`) stop on it. */
  signal: AbortSignal;
  /** Whether an interactive question may be asked on stdin. */
  isInteractive: boolean;
  /** Asks a yes/no question on the terminal; resolves false when not interactive. */
  confirm(question: string): Promise<boolean>;
}

export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  io: CliIo;
}

export interface Command {
  /** What it accepts (`commands/specs.ts`): its name, flags and subcommands. */
  spec: CommandSpec;
  /** Resolves to the exit code: 0 ok, 1 runtime failure, 2 bad usage or config. */
  run(context: CommandContext): Promise<number>;
}
