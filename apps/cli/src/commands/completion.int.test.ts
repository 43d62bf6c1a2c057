import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The shells run the built gov as a user's shell would: `gov` on PATH (its committed bin file).
const bin = fileURLToPath(new URL('../../bin/gov.js', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gov-completion-'));
const pathDir = join(scratch, 'bin');
const env = { ...process.env, PATH: `${pathDir}${delimiter}${process.env['PATH'] ?? ''}`, HOME: scratch };
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: build it with "npx nx run @gov/cli:build"`);
  mkdirSync(pathDir);
  symlinkSync(bin, join(pathDir, 'gov'));
  // Files the path completion must find.
  writeFileSync(join(scratch, 'gov-a.toml'), '');
  writeFileSync(join(scratch, 'gov-b.toml'), '');
});

function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

/** Shells other than bash are only in CI for sure; GOV_REQUIRE_TOOLS=1 makes a missing one a failure. */
function requireShell(shell: string): boolean {
  if (has(shell)) return true;
  if (process.env['GOV_REQUIRE_TOOLS'] === '1') throw new Error(`${shell} is not installed (apt-get install ${shell})`);
  return false;
}

function run(shell: string, script: string): string {
  return execFileSync(shell, ['-c', script], { env, cwd: scratch, encoding: 'utf8' });
}

describe('gov completion bash', () => {
  it('registers a completion function for gov', () => {
    expect(run('bash', 'source <(gov completion bash); complete -p gov')).toBe('complete -F _gov gov\n');
  });

  it('completes as bash asks it to (COMP_WORDS, COMP_CWORD): commands, subcommands, flags, values and paths', () => {
    const complete = (words: string[]) =>
      run('bash', `source <(gov completion bash); COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _gov; printf '%s\\n' "\${COMPREPLY[@]}"`)
        .split('\n')
        .filter(Boolean);
    expect(complete(['gov', 're'])).toEqual(['reclaim']);
    expect(complete(['gov', 'docker', ''])).toEqual(['ls', 'pause-idle', 'unpause']);
    expect(complete(['gov', 'docker', 'pause-idle', '--d'])).toEqual(['--dry-run']);
    expect(complete(['gov', 'reclaim', '--method', 'c'])).toEqual(['compact_memory', 'cgroup_reclaim', 'compact', 'cgroup']);
    expect(complete(['gov', 'config', 'validate', '--path', 'gov-']).sort()).toEqual(['gov-a.toml', 'gov-b.toml']);
  });
});

describe('gov completion zsh', () => {
  it('is valid zsh, and offers candidates with their descriptions through _describe, or files', () => {
    if (!requireShell('zsh')) return;
    writeFileSync(join(scratch, 'gov.zsh'), execFileSync(bin, ['completion', 'zsh'], { env, encoding: 'utf8' }));
    expect(run('zsh', 'zsh -n gov.zsh && echo ok')).toBe('ok\n');
    // compdef, _describe and _files stand in for the completion system: they print what they are given.
    const output = run('zsh', `compdef() { print "compdef $*"; }; _describe() { print -l -- "\${(@P)\${@[-1]}}"; }; _files() { print FILES; }
source gov.zsh
words=(gov learn ''); CURRENT=3; _gov
words=(gov status --config ''); CURRENT=4; _gov`);
    expect(output).toBe('compdef _gov gov\nstatus:what the advisor has learned: its phase, outcomes, errors and preference\nreset:delete the learned model (a running govd starts its advisor over)\nFILES\n');
  });
});

describe('gov completion fish', () => {
  it('completes in fish itself (complete -C)', () => {
    if (!requireShell('fish')) return;
    const output = run('fish', 'gov completion fish | source; complete -C "gov learn "; complete -C "gov feedback "; complete -C "gov history --config gov-"');
    expect(output).toBe(
      'reset\tdelete the learned model (a running govd starts its advisor over)\nstatus\twhat the advisor has learned: its phase, outcomes, errors and preference\nok\nslow\ngov-a.toml\ngov-b.toml\n',
    );
  });
});
