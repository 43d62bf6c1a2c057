import { describe, expect, it } from 'vitest';
import { createPalette, formatBytes, formatDuration, formatTable } from './format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1_073_741_824, '1.00 GiB'],
    [1_095_216_660, '1.02 GiB'],
    [-2048, '-2.00 KiB'],
    [null, '—'],
  ])('%s → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [184, '184 ms'],
    [2500, '2.5 s'],
    [90_000, '1m30s'],
    [7_200_000, '2h'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

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
