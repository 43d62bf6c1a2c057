import { allOptions, findSubcommand, type CommandSpec, type OptionSpec } from './spec.js';

/** A word a shell may complete to, with what it means (zsh and fish show it). */
export interface Candidate {
  word: string;
  description: string;
}

/** What completes the last word: these words, or file names (the value of a `PATH` flag). */
export type Completion = { kind: 'words'; candidates: Candidate[] } | { kind: 'files' };

/** gov itself as a command whose subcommands are the commands (and `help`). */
function programSpec(specs: readonly CommandSpec[]): CommandSpec {
  return {
    name: 'gov',
    summary: 'a memory governor',
    options: { version: { type: 'boolean', description: 'print the version of gov' } },
    subcommands: [...specs, { name: 'help', summary: 'show the help of a command', operands: 'COMMAND', operandChoices: specs.map((spec) => spec.name), options: {} }],
  };
}

function optionNamed(spec: CommandSpec, word: string): OptionSpec | undefined {
  const options = allOptions(spec);
  if (word.startsWith('--')) return options[word.slice(2)];
  return Object.values(options).find((option) => option.short !== undefined && `-${option.short}` === word);
}

function firstSentence(text: string): string {
  return text.split(/[.;(]/)[0]?.trim() ?? text;
}

/**
 * The completions of the last of `words` (the words after `gov`, the last one being typed, maybe
 * empty): subcommands where a command has them, flags when the word starts with `-` (or the command
 * takes nothing else), a flag's closed set of values, or file names for any other flag value.
 */
export function completeWords(specs: readonly CommandSpec[], words: readonly string[]): Completion {
  const program = programSpec(specs);
  const current = words.at(-1) ?? '';
  let node = program;
  let valueOf: OptionSpec | undefined;
  for (const word of words.slice(0, -1)) {
    if (valueOf) {
      valueOf = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      const option = optionNamed(node, word);
      if (option?.type === 'string' && !word.includes('=')) valueOf = option;
      continue;
    }
    node = findSubcommand(node, word) ?? node;
  }

  const matching = (candidates: Candidate[]): Completion => ({ kind: 'words', candidates: candidates.filter((candidate) => candidate.word.startsWith(current)) });
  if (valueOf) return valueOf.choices ? matching(valueOf.choices.map((choice) => ({ word: choice, description: '' }))) : { kind: 'files' };
  const flags = () =>
    matching(
      node === program
        ? [
            { word: '--version', description: 'print the version of gov' },
            { word: '--help', description: 'show the help' },
          ]
        : Object.entries(allOptions(node)).map(([name, option]) => ({ word: `--${name}`, description: firstSentence(option.description) })),
    );
  if (current.startsWith('-')) return flags();
  if (node.subcommands) return matching(node.subcommands.map((sub) => ({ word: sub.name, description: sub.summary })));
  if (node.operandChoices) return matching(node.operandChoices.map((choice) => ({ word: choice, description: '' })));
  return node.operands === undefined ? flags() : matching([]);
}

/** What `gov __complete` prints: `:files`, or one `word<TAB>description` line per candidate. */
export function renderCandidates(completion: Completion): string {
  if (completion.kind === 'files') return ':files\n';
  return completion.candidates.map((candidate) => `${candidate.word}\t${candidate.description}\n`).join('');
}
