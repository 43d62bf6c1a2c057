import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNormaliser } from './normaliser.js';
import { createPrng } from './prng.js';

describe('createNormaliser', () => {
  it('matches the two-pass mean and sample variance (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), { minLength: 2, maxLength: 200 }), (rows) => {
        const normaliser = createNormaliser(2);
        for (const row of rows) normaliser.update(row);
        const state = normaliser.toJSON();
        for (const column of [0, 1]) {
          const values = rows.map((row) => row[column] as number);
          const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
          const m2 = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
          expect(state.mean[column]).toBeCloseTo(mean, 6);
          expect(Math.abs((state.m2[column] as number) - m2)).toBeLessThanOrEqual(1e-6 * Math.max(1, m2));
        }
      }),
    );
  });

  it('turns values into clipped z-scores and continues from its saved state', () => {
    const normaliser = createNormaliser(1);
    for (const value of [2, 4, 4, 4, 5, 5, 7, 9]) normaliser.update([value]);
    // mean 5, sample standard deviation √(32/7)
    expect(normaliser.transform([5])[0]).toBe(0);
    expect(normaliser.transform([5 + Math.sqrt(32 / 7)])[0]).toBeCloseTo(1, 12);
    expect(normaliser.transform([1e9])[0]).toBe(5);
    expect(normaliser.transform([-1e9])[0]).toBe(-5);
    const copy = createNormaliser(1, normaliser.toJSON());
    expect(copy.transform([8])).toEqual(normaliser.transform([8]));
    expect(() => createNormaliser(2, normaliser.toJSON())).toThrow('normaliser has 1 features, expected 2');
  });
});

describe('createNormaliser with floors', () => {
  it('never divides by less than a feature\'s floor, so a feature that has barely moved is not blown up', () => {
    const normaliser = createNormaliser(2, undefined, [0.5, 0]);
    for (const value of [0.6, 0.61, 0.62]) normaliser.update([value, value]);
    // spread 0.01: the floor of 0.5 holds the first; the second, with no floor, is amplified
    expect(Array.from(normaliser.transform([0.65, 0.65])).map((z) => Number(z.toFixed(6)))).toEqual([0.08, 4]);
    const fresh = createNormaliser(1, undefined, [2]);
    fresh.update([3]);
    expect(fresh.transform([7])[0]).toBe(2);
    expect(() => createNormaliser(2, undefined, [1])).toThrow(expect.objectContaining({ code: 'GOV_NEURAL_INVALID_OPTIONS', message: 'normaliser floors must be 2 finite numbers ≥ 0, got [1]' }));
    expect(() => createNormaliser(1, undefined, [Number.NaN])).toThrow('normaliser floors must be 1 finite numbers ≥ 0, got [NaN]');
  });
});

describe('createPrng', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(draws);
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(createPrng(43)()).not.toBe(draws[0]);
  });
});
