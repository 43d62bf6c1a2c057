import { commands } from './commands/index.js';
import { completeWords, renderCandidates } from './completion.js';
import { exitCodeOf, UsageError, type Typo } from './errors.js';
import type { CliIo } from './io.js';
import { findSubcommand, renderHelp, renderProgramHelp, synopsis, type CommandSpec } from './spec.js';
import { version } from './version.js';

const specs = commands.map((entry) => entry.spec);
const HELP_FLAGS = ['--help', '-h'];

/** The command or subcommand `words` name (`['docker', 'ls']`) and its path; throws `UsageError` for one that does not exist. */
function resolveHelpTarget(words: readonly string[]): { path: string[]; spec: CommandSpec } {
  const [name, sub] = words;
  const spec = specs.find((candidate) => candidate.name === name);
  if (!spec) throw unknownCommand(name ?? '');
  const subcommand = findSubcommand(spec, sub);
  if (sub !== undefined && spec.subcommands && !subcommand) {
    const names = spec.subcommands.map((candidate) => candidate.name);
    throw new UsageError(`unknown ${spec.name} command "${sub}"; use ${names.join(', ')}`, undefined, { given: sub, known: names, quoted: true });
  }
  return subcommand ? { path: [spec.name, subcommand.name], spec: subcommand } : { path: [spec.name], spec };
}

function unknownCommand(name: string): UsageError {
  const names = specs.map((spec) => spec.name);
  return new UsageError(`unknown command "${name}"`, 'gov COMMAND [options]   ("gov --help" lists the commands)', { given: name, known: [...names, 'help'], quoted: true });
}

/** The usage line of `gov NAME [SUB]`, when it names a command. */
function usageOf(name: string | undefined, sub: string | undefined): string | undefined {
  const spec = specs.find((candidate) => candidate.name === name);
  if (!spec) return undefined;
  const subcommand = findSubcommand(spec, sub);
  return subcommand ? synopsis([spec.name, subcommand.name], subcommand) : synopsis([spec.name], spec);
}

/** Where the flags stop: everything after `--` is an operand, even `--help`. */
function beforeOperands(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/** The message with a did-you-mean; loaded only on this error path, so `gov --version` stays quick. */
async function withSuggestion(message: string, typo: Typo | undefined): Promise<string> {
  return typo ? (await import('./did-you-mean.js')).withSuggestion(message, typo) : message;
}

/** Runs one `gov` invocation and resolves to its exit code; never throws. */
export async function runMain(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = beforeOperands(rest).includes('--json');
  try {
    if (name === undefined || HELP_FLAGS.includes(name)) {
      io.stdout.write(renderProgramHelp(specs));
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    if (name === 'help') {
      io.stdout.write(rest.length === 0 ? renderProgramHelp(specs) : (({ path, spec }) => renderHelp(path, spec))(resolveHelpTarget(rest)));
      return 0;
    }
    // What a shell's completion script asks: the candidates for the last word.
    if (name === '__complete') {
      io.stdout.write(renderCandidates(completeWords(specs, rest)));
      return 0;
    }
    const entry = commands.find((candidate) => candidate.spec.name === name);
    if (!entry) throw unknownCommand(name);
    if (beforeOperands(rest).some((word) => HELP_FLAGS.includes(word))) {
      const sub = findSubcommand(entry.spec, rest[0]);
      io.stdout.write(sub ? renderHelp([name, sub.name], sub) : renderHelp([name], entry.spec));
      return 0;
    }
    const command = await entry.load();
    return await command.run({ argv: rest, io });
  } catch (error) {
    const exitCode = exitCodeOf(error);
    const err = error as Error & { code?: string; usage?: string };
    const message = error instanceof UsageError ? await withSuggestion(err.message, error.typo) : err.message;
    const usage = err.usage ?? (error instanceof UsageError ? usageOf(name, rest[0]) : undefined);
    if (wantsJson) {
      io.stdout.write(`${JSON.stringify({ error: { name: err.name, code: err.code ?? 'GOV_CLI_FAILED', message } }, null, 2)}\n`);
    } else {
      io.stderr.write(`gov: ${message}\n`);
      if (usage) io.stderr.write(`usage: ${usage}\n`);
    }
    return exitCode;
  }
}
