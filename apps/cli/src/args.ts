import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { allOptions, findSubcommand, synopsis, type CommandSpec } from './spec.js';

/** The flags parsed for a spec's options (and `--json`, `--help`): each `undefined` when not given. */
export type ParsedValues<Options> = { [K in keyof Options]?: Options[K] extends { type: 'boolean' } ? boolean : string } & { json?: boolean; help?: boolean };

/** The flags of every subcommand of `S`, each with its type (`boolean` or `string`). */
type SubcommandOptions<S extends CommandSpec> = NonNullable<S['subcommands']>[number]['options'];
type KeysOfAny<U> = U extends unknown ? keyof U : never;
type FlagTypeIn<U, K> = U extends unknown ? (K extends keyof U ? (U[K] extends { type: infer T } ? T : never) : never) : never;
type SubcommandValues<U> = { [K in KeysOfAny<U>]?: FlagTypeIn<U, K> extends 'boolean' ? boolean : string } & { json?: boolean; help?: boolean };

/** The flag in a `util.parseArgs` "Unknown option '--x'" message. */
const UNKNOWN_OPTION = /^Unknown option '([^']+)'/;
/** The operand in a "Unexpected argument 'x'" message (a command that takes none). */
const UNEXPECTED_ARGUMENT = /^Unexpected argument '([^']*)'/;

/**
 * Parses `argv` against `spec` with `util.parseArgs` in strict mode. A bad flag is a `UsageError`
 * with the usage line: an unknown one carries a typo for the did-you-mean, and one that belongs
 * to a sibling subcommand says it does not apply here.
 */
export function parseCommandArgs<S extends CommandSpec>(argv: readonly string[], spec: S, path: readonly string[], siblings: readonly CommandSpec[] = []): { values: ParsedValues<S['options']>; positionals: string[] } {
  const usage = synopsis(path, spec);
  const options = Object.fromEntries(Object.entries(allOptions(spec)).map(([name, option]) => [name, { type: option.type, ...(option.short ? { short: option.short } : {}) }]));
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.operands !== undefined });
    return { values: values as ParsedValues<S['options']>, positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unexpected = UNEXPECTED_ARGUMENT.exec(message)?.[1];
    if (unexpected !== undefined) throw new UsageError(`"gov ${path.join(' ')}" takes no arguments (got ${unexpected})`, usage);
    const unknown = UNKNOWN_OPTION.exec(message)?.[1];
    if (unknown === undefined) throw new UsageError(message, usage);
    const name = unknown.replace(/^-+/, '').split('=')[0] as string;
    if (siblings.some((sibling) => Object.hasOwn(sibling.options, name))) throw new UsageError(`--${name} does not apply to "gov ${path.join(' ')}"`, usage);
    const known = Object.keys(allOptions(spec)).map((option) => `--${option}`);
    throw new UsageError(`unknown option ${unknown}`, usage, { given: unknown, known, quoted: false });
  }
}

/**
 * Parses `gov COMMAND SUBCOMMAND [flags]`: the subcommand comes first, then its own flags
 * (`gov docker ls --sample 2s`). A missing or unknown subcommand is a `UsageError` naming them all.
 */
export function parseSubcommandArgs<S extends CommandSpec>(argv: readonly string[], spec: S, path: readonly string[]): { subcommand: NonNullable<S['subcommands']>[number]['name']; values: SubcommandValues<SubcommandOptions<S>>; positionals: string[] } {
  const subcommands = spec.subcommands ?? [];
  const names = subcommands.map((sub) => sub.name);
  const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  const [name, ...rest] = argv;
  const usage = synopsis(path, spec);
  if (name === undefined || name.startsWith('-')) throw new UsageError(`say what to do: ${list}`, usage);
  const subcommand = findSubcommand(spec, name);
  if (!subcommand) throw new UsageError(`unknown ${path.join(' ')} command "${name}"; use ${list}`, usage, { given: name, known: names, quoted: true });
  const parsed = parseCommandArgs(rest, subcommand, [...path, name], subcommands.filter((sibling) => sibling !== subcommand));
  return { subcommand: name, values: parsed.values as SubcommandValues<SubcommandOptions<S>>, positionals: parsed.positionals };
}
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?$/i;
const SIZE_FACTORS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a size such as `512M`, `1.5GiB` or `1048576` into bytes. Binary units throughout:
 * `K`, `KB` and `KiB` all mean 1024, as `free` and the kernel use them.
 */
export function parseSize(text: string, flag: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: "${text}" is not a size; use plain bytes or a number with K, M, G (or KiB, MiB, GiB), e.g. 512M`);
  const unit = (match[2] ?? 'b').toLowerCase()[0] as string;
  const bytes = Number(match[1]) * (SIZE_FACTORS[unit] as number);
  if (!Number.isSafeInteger(Math.round(bytes))) throw new UsageError(`${flag}: "${text}" is too large`);
  return Math.round(bytes);
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const DURATION_FACTORS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `90s`, `30m`, `2h` into milliseconds; a bare number is minutes. */
export function parseDuration(text: string, flag: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: "${text}" is not a duration; use a number with ms, s, m, h or d, e.g. 30m or 90s`);
  return Math.round(Number(match[1]) * (DURATION_FACTORS[match[2] ?? 'm'] as number));
}

/** Parses a positive integer flag such as `--limit 20`. */
export function parsePositiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag}: "${text}" is not a whole number of at least 1`);
  return Number(text);
}
