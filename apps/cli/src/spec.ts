/**
 * What a command accepts, written once: parsing (`args.ts`), `--help`, usage lines, did-you-mean
 * and shell completion are all derived from these descriptions.
 */

/** One flag. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** A one-letter alias, e.g. `y` for `--yes`. */
  short?: string;
  /** What the value is, in help and usage: `SIZE`, `PATH`, `DURATION`. */
  value?: string;
  /** The values it takes when they are a closed set: completion offers them, a typo gets a did-you-mean. */
  choices?: readonly string[];
  /** What it does, in one or two sentences. */
  description: string;
  /** What applies when the flag is not given. */
  defaultText?: string;
}

/** A command (`gov docker`) or a subcommand (`gov docker ls`). */
export interface CommandSpec {
  name: string;
  /** One line: what it does. */
  summary: string;
  /** The operands after the options as usage shows them (`NAME...`, `slow|ok`); none when absent. */
  operands?: string;
  /** The operands' values when they are a closed set (completion offers them). */
  operandChoices?: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  subcommands?: readonly CommandSpec[];
  /** Paragraphs after the options: what else a user needs to know. */
  notes?: string;
}

/** The flags every command takes besides its own. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', description: 'print one JSON object instead of text (errors too)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

/** Every flag `spec` takes, its own first. */
export function allOptions(spec: CommandSpec): Readonly<Record<string, OptionSpec>> {
  return { ...spec.options, ...COMMON_OPTIONS };
}

/** `--name` and `-s` spellings of every flag of `spec`. */
export function flagNames(spec: CommandSpec): string[] {
  return Object.entries(allOptions(spec)).flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])]);
}

/** The subcommand of `spec` called `name`, if any. */
export function findSubcommand(spec: CommandSpec, name: string | undefined): CommandSpec | undefined {
  return name === undefined ? undefined : spec.subcommands?.find((sub) => sub.name === name);
}

function valueHint(option: OptionSpec): string {
  if (option.type === 'boolean') return '';
  if (option.value) return ` ${option.value}`;
  return option.choices ? ` ${option.choices.join('|')}` : ' VALUE';
}

/** The usage line of a command: `gov reclaim [--method METHOD] [--level 1|2|3] … [--json]`. */
export function synopsis(path: readonly string[], spec: CommandSpec): string {
  const head = `gov ${path.join(' ')}`;
  if (spec.subcommands) return `${head} ${spec.subcommands.map((sub) => sub.name).join('|')} [options]`;
  const flags = Object.entries({ ...spec.options, json: COMMON_OPTIONS.json }).map(([name, option]) => `[--${name}${valueHint(option)}]`);
  return [head, spec.operands, ...flags].filter(Boolean).join(' ');
}

const WIDTH = 80;

/** Breaks `text` into lines of at most `width` characters (longer words stay whole; `[--flag VALUE]` is one word). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.match(/\[[^\]]*\]|\S+/g) ?? []) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Two columns: a left cell, then its text wrapped and indented under itself. */
function columns(rows: [left: string, text: string][]): string {
  const width = Math.min(Math.max(...rows.map(([left]) => left.length)), 28);
  return rows
    .map(([left, text]) => {
      const indent = ' '.repeat(2 + width + 2);
      const lines = wrap(text, Math.max(WIDTH - indent.length, 30));
      const first = left.length > width ? `  ${left}\n${indent}${lines[0] ?? ''}` : `  ${left.padEnd(width)}  ${lines[0] ?? ''}`;
      return [first, ...lines.slice(1).map((line) => `${indent}${line}`)].join('\n').trimEnd();
    })
    .join('\n');
}

function optionRows(spec: CommandSpec): [string, string][] {
  return Object.entries(allOptions(spec)).map(([name, option]) => {
    const left = `${option.short ? `-${option.short}, ` : '    '}--${name}${valueHint(option)}`;
    return [left, option.defaultText === undefined ? option.description : `${option.description} (default: ${option.defaultText})`];
  });
}

/** The whole `--help` of a command or subcommand: what it does, its usage, every flag with its meaning and default. */
export function renderHelp(path: readonly string[], spec: CommandSpec): string {
  // Continuation lines start under the first flag, as in man pages.
  const head = `gov ${path.join(' ')} `;
  const indent = 'Usage: '.length + head.length;
  const usage = head + wrap(synopsis(path, spec).slice(head.length), WIDTH - indent).join(`\n${' '.repeat(indent)}`);
  const parts = [wrap(`gov ${path.join(' ')} — ${spec.summary}`, WIDTH).join('\n'), `Usage: ${usage}`];
  if (spec.subcommands) {
    parts.push(`Commands:\n${columns(spec.subcommands.map((sub) => [sub.name, sub.summary]))}`);
    parts.push(`Options:\n${columns(optionRows({ ...spec, options: {} }))}`);
    parts.push(`Run "gov ${path.join(' ')} COMMAND --help" for the options of each.`);
  } else {
    parts.push(`Options:\n${columns(optionRows(spec))}`);
  }
  if (spec.notes) parts.push(wrap(spec.notes, WIDTH).join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/** `gov --help`: the commands, the program's own flags, and where to read more. */
export function renderProgramHelp(commands: readonly CommandSpec[]): string {
  const globals: [string, string][] = [
    ['    --version', 'print the version of gov'],
    ['-h, --help', 'show this help'],
  ];
  return [
    'gov — a memory governor: gives back memory this machine holds for nothing',
    'Usage: gov COMMAND [options]   (every command takes --json and --help)',
    `Commands:\n${columns([...commands.map((command): [string, string] => [command.name, command.summary]), ['help', 'show the help of a command: gov help docker ls']])}`,
    `Options:\n${columns(globals)}`,
    wrap('Run "gov help COMMAND" or "gov COMMAND --help" for its flags. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or config.', WIDTH).join('\n'),
  ].join('\n\n') + '\n';
}
