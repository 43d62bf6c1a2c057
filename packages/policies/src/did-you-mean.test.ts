import { describe, expect, it } from 'vitest';
import { levenshtein, suggestName } from './did-you-mean.js';

describe('suggestName', () => {
  const commands = ['status', 'reclaim', 'docker', 'history', 'feedback', 'learn', 'config'];

  it.each([
    ['stauts', 'status'],
    ['reclam', 'reclaim'],
    ['Histroy', 'history'],
    ['--metod', '--method'],
  ])('suggests %j for %j', (typo, expected) => {
    expect(suggestName(typo, [...commands, '--method', '--level'])).toBe(expected);
  });

  it('suggests nothing for a name close to none', () => {
    expect(suggestName('defrag', commands)).toBe(null);
    expect(suggestName('x', [])).toBe(null);
  });

  it('counts insertions, deletions and substitutions', () => {
    expect([levenshtein('kitten', 'sitting'), levenshtein('', 'abc'), levenshtein('same', 'same')]).toEqual([3, 3, 0]);
  });
});
