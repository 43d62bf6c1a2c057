import { parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { formatJson } from '../format.js';
import type { Command } from '../io.js';
import { completionSpec } from './specs.js';

// Each script is glue only: it hands the words typed so far to `gov __complete`, which answers
// from the same command descriptions that parse the flags, so completion cannot drift from them.

const BASH = `# gov completion for bash. Load it with:  source <(gov completion bash)
# or save it as ~/.local/share/bash-completion/completions/gov
_gov() {
  local line
  local -a lines=()
  COMPREPLY=()
  while IFS= read -r line; do lines+=("$line"); done < <(gov __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [[ "\${lines[0]:-}" == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}")
    return 0
  fi
  for line in "\${lines[@]}"; do COMPREPLY+=("\${line%%$'\\t'*}"); done
}
complete -F _gov gov
`;

const ZSH = `#compdef gov
# gov completion for zsh. Load it with:  source <(gov completion zsh)  (after compinit),
# or save it as _gov in a directory of $fpath.
_gov() {
  local line word description
  local -a lines candidates
  lines=("\${(@f)$(gov __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "\${lines[1]}" == ":files" ]]; then
    _files
    return
  fi
  for line in "\${lines[@]}"; do
    [[ -z "$line" ]] && continue
    word="\${line%%$'\\t'*}"
    description="\${line#*$'\\t'}"
    candidates+=("\${word//:/\\\\:}\${description:+:$description}")
  done
  _describe -t gov-words gov candidates
}
if [[ "$funcstack[1]" == "_gov" ]]; then _gov "$@"; else compdef _gov gov; fi
`;

const FISH = `# gov completion for fish. Save it as ~/.config/fish/completions/gov.fish
# or load it with:  gov completion fish | source
function __gov_complete
    set -l words (commandline -opc) (commandline -ct)
    set -e words[1]
    set -l lines (gov __complete $words 2>/dev/null)
    if test "$lines[1]" = ":files"
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\\n' $lines
end
complete -c gov -f -a '(__gov_complete)'
`;

const SCRIPTS = { bash: BASH, zsh: ZSH, fish: FISH } as const;
type Shell = keyof typeof SCRIPTS;

/** `gov completion bash|zsh|fish`: prints the completion script of a shell. */
export const completionCommand: Command = {
  spec: completionSpec,
  async run({ argv, io }) {
    const { values, positionals } = parseCommandArgs(argv, completionSpec, ['completion']);
    const [shell, ...extra] = positionals;
    const shells = Object.keys(SCRIPTS);
    if (shell === undefined) throw new UsageError('say which shell: bash, zsh or fish');
    if (!Object.hasOwn(SCRIPTS, shell)) throw new UsageError(`unknown shell "${shell}"; use bash, zsh or fish`, undefined, { given: shell, known: shells, quoted: true });
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const script = SCRIPTS[shell as Shell];
    io.stdout.write(values.json ? formatJson({ shell, script }) : script);
    return 0;
  },
};
