import { describe, expect, it } from 'vitest';
import { parseDuration, parsePositiveInt, parseSize } from './args.js';

describe('parseSize', () => {
  it.each([
    ['1048576', 1048576],
    ['512M', 512 * 1024 ** 2],
    ['512MiB', 512 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['64GiB', 64 * 1024 ** 3],
    ['4k', 4096],
  ])('%s is %i bytes', (text, bytes) => {
    expect(parseSize(text, '--target')).toBe(bytes);
  });

  it.each(['', 'lots', '-5M', '5 parsecs', '1e9'])('refuses %j with the allowed forms', (text) => {
    expect(() => parseSize(text, '--target')).toThrow(/--target: ".*" is not a size; use plain bytes or a number with K, M, G/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['15', 900_000],
    ['250ms', 250],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text, '--idle')).toBe(ms);
  });

  it('refuses a duration it cannot read', () => {
    expect(() => parseDuration('soon', '--idle')).toThrow('--idle: "soon" is not a duration; use a number with ms, s, m, h or d, e.g. 30m or 90s');
  });
});

describe('parsePositiveInt', () => {
  it('reads whole numbers and refuses the rest', () => {
    expect(parsePositiveInt('20', '--limit')).toBe(20);
    expect(() => parsePositiveInt('0', '--limit')).toThrow('--limit: "0" is not a whole number of at least 1');
    expect(() => parsePositiveInt('2.5', '--limit')).toThrow('--limit: "2.5" is not a whole number of at least 1');
  });
});
