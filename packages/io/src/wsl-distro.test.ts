import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWslDistroName, wslDistroNameProblem } from './wsl-distro.js';

describe('WSL distribution names', () => {
  it.each(['Ubuntu', 'Ubuntu-24.04', 'docker-desktop', 'my_distro.1', '.x', '_', 'x'.repeat(64)])('accepts %j, as WSL does', (name) => {
    expect([isWslDistroName(name), wslDistroNameProblem(name)]).toEqual([true, null]);
  });

  it.each(['', 'Ubuntu 24.04', 'a;reboot', '../x', 'Ubuntu\n', 'Nötig', 'x'.repeat(65)])('refuses %j, which WSL does not allow or no distribution has', (name) => {
    expect(isWslDistroName(name)).toBe(false);
  });

  it('refuses a name that wsl.exe would read as an option', () => {
    expect(wslDistroNameProblem('-u')).toBe('WSL distribution "-u" is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"');
  });

  it('shows what it got, shortened', () => {
    expect([wslDistroNameProblem(undefined), wslDistroNameProblem(null), wslDistroNameProblem(7)]).toEqual([
      'WSL distribution "undefined" is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"',
      'WSL distribution "null" is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"',
      'WSL distribution "7" is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"',
    ]);
    expect(wslDistroNameProblem('y'.repeat(100))).toBe(`WSL distribution "${'y'.repeat(80)}…" is refused: a name is 1–64 letters, digits, ".", "_" or "-", not starting with "-"`);
  });

  it('accepts exactly WSL\'s names that do not start with "-" and fit 64 characters (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9._-]{0,70}$/)), (name) => {
        expect(isWslDistroName(name)).toBe(/^[a-zA-Z0-9._-]+$/.test(name) && !name.startsWith('-') && name.length <= 64);
      }),
    );
  });
});
