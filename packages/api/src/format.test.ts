import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent } from './format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1_073_741_824, '1.00 GiB'],
    [1_095_216_660, '1.02 GiB'],
    [5 * 1024 ** 4 * 1024, '5120.00 TiB'],
    [-2048, '-2.00 KiB'],
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, '—'],
  ])('%s → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [184, '184 ms'],
    [2500, '2.5 s'],
    [3000, '3 s'],
    [90_000, '1m30s'],
    [7_200_000, '2h'],
    [7_260_000, '2h1m'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatPercent', () => {
  it.each([
    [0.5, '0.50%'],
    [12.345, '12.3%'],
    [100, '100.0%'],
    [null, '—'],
  ])('%s → %s', (percent, text) => {
    expect(formatPercent(percent)).toBe(text);
  });
});
