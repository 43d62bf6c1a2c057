import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { completeWords, renderCandidates, type Completion } from './completion.js';

const specs = commands.map((entry) => entry.spec);
const words = (completion: Completion) => (completion.kind === 'files' ? ':files' : completion.candidates.map((candidate) => candidate.word));

describe('completeWords', () => {
  it('completes commands, then subcommands, then the flags of the one named', () => {
    expect(words(completeWords(specs, ['']))).toEqual(['status', 'reclaim', 'docker', 'history', 'feedback', 'learn', 'config', 'service', 'completion', 'help']);
    expect(words(completeWords(specs, ['re']))).toEqual(['reclaim']);
    expect(words(completeWords(specs, ['docker', '']))).toEqual(['ls', 'pause-idle', 'unpause']);
    expect(words(completeWords(specs, ['docker', 'ls', '--']))).toEqual(['--sample', '--config', '--state-dir', '--json', '--help']);
    expect(words(completeWords(specs, ['docker', 'pause-idle', '--idle', '5m', '--d']))).toEqual(['--dry-run']);
    expect(words(completeWords(specs, ['-']))).toEqual(['--version', '--help']);
  });

  it('offers the closed set of a flag value or an operand, and files for a path', () => {
    expect(words(completeWords(specs, ['reclaim', '--method', '']))).toEqual(['drop_caches', 'compact_memory', 'cgroup_reclaim', 'full', 'compact', 'cgroup']);
    expect(words(completeWords(specs, ['reclaim', '--level', '']))).toEqual(['1', '2', '3']);
    expect(words(completeWords(specs, ['feedback', '']))).toEqual(['slow', 'ok']);
    expect(words(completeWords(specs, ['completion', 'z']))).toEqual(['zsh']);
    expect(words(completeWords(specs, ['help', 'do']))).toEqual(['docker']);
    expect(completeWords(specs, ['config', 'validate', '--path', ''])).toEqual({ kind: 'files' });
    expect(words(completeWords(specs, ['config', 'validate', '--path', 'x.toml', '']))).toEqual(['--path', '--json', '--help']);
  });

  it('offers a command that takes nothing else its flags, and nothing for free operands', () => {
    expect(words(completeWords(specs, ['history', '']))).toEqual(['--limit', '--config', '--json', '--help']);
    expect(words(completeWords(specs, ['docker', 'unpause', '']))).toEqual([]);
  });

  it('prints one word and its description per line, or :files', () => {
    expect(renderCandidates(completeWords(specs, ['docker', 'u']))).toBe('unpause\tresume containers: the ones named, or every one gov paused\n');
    expect(renderCandidates(completeWords(specs, ['history', '--l']))).toBe('--limit\thow many of the latest records to show\n');
    expect(renderCandidates({ kind: 'files' })).toBe(':files\n');
  });
});
