import { commands } from './commands/index.js';
import { exitCodeOf, UsageError } from './errors.js';
import type { CliIo, Command } from './io.js';

function helpText(): string {
  const width = Math.max(...commands.map((command) => command.name.length), 4);
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `gov — a memory governor: gives back memory this machine holds for nothing\n\nUsage: gov <command> [options]   (every command takes --json)\n\nCommands:\n${lines.join('\n')}\n\nRun "gov <command> --help" for a command's options.\n`;
}

/** Runs one `gov` invocation and resolves to its exit code; never throws. */
export async function runMain(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText());
    return name === undefined ? 2 : 0;
  }
  const entry = commands.find((candidate) => candidate.name === name);
  let command: Command | undefined;
  try {
    if (!entry) throw new UsageError(`unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}`);
    command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
      return 0;
    }
    return await command.run({ argv: rest, io });
  } catch (error) {
    const exitCode = exitCodeOf(error);
    const wantsJson = rest.includes('--json');
    const err = error as Error & { code?: string; usage?: string };
    if (wantsJson) {
      io.stdout.write(`${JSON.stringify({ error: { name: err.name, code: err.code ?? 'GOV_CLI_FAILED', message: err.message } }, null, 2)}\n`);
    } else {
      io.stderr.write(`gov: ${err.message}\n`);
      const usage = err.usage ?? (error instanceof UsageError ? command?.usage : undefined);
      if (usage) io.stderr.write(`usage: ${usage}\n`);
    }
    return exitCode;
  }
}
