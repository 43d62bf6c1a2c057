import { describe, expect, it } from 'vitest';
import { createPalette, formatTable } from './format.js';

describe('createPalette', () => {
  it('colours only on a TTY without NO_COLOR', () => {
    expect(createPalette(true, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(createPalette(true, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(createPalette(false, {}).red('x')).toBe('x');
  });
});

it('formatTable aligns columns', () => {
  expect(formatTable([['NAME', 'STATE'], ['web-1', 'running'], ['db', 'paused']])).toBe('NAME   STATE\nweb-1  running\ndb     paused\n');
});
