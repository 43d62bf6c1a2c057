import type { CliIo } from './io.js';

/** An in-memory `CliIo` for command tests: collects what a command prints. */
export function createTestIo(options: { env?: Record<string, string | undefined>; isTTY?: boolean; answer?: boolean; signal?: AbortSignal } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text), isTTY: options.isTTY ?? false, columns: 100 },
    stderr: { write: (text: string) => err.push(text) },
    env: options.env ?? {},
    signal: options.signal ?? new AbortController().signal,
    isInteractive: options.isTTY ?? false,
    confirm: async (question) => {
      questions.push(question);
      return options.answer ?? false;
    },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join(''), questions };
}
