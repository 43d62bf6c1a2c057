import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeminfoParseError } from './errors.js';
import { parsePressure } from './pressure.js';

describe('parsePressure', () => {
  it('reads some and full', () => {
    expect(parsePressure('some avg10=1.53 avg60=0.87 avg300=0.22 total=52371893\nfull avg10=0.71 avg60=0.40 avg300=0.10 total=27613042\n')).toEqual({
      some: { avg10: 1.53, avg60: 0.87, avg300: 0.22, totalUs: 52371893 },
      full: { avg10: 0.71, avg60: 0.4, avg300: 0.1, totalUs: 27613042 },
    });
  });

  it('reads this machine-shaped file recorded from a 6.18 kernel', () => {
    const text = readFileSync(new URL('../fixtures/linux-6.18.pressure', import.meta.url), 'utf8');
    expect(parsePressure(text)).toEqual({
      some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 },
    });
  });

  it('reports a missing full line as null', () => {
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=10\n').full).toBeNull();
  });

  it('requires the some line', () => {
    expect(() => parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=10\n', 'memory.pressure')).toThrowError(
      new MeminfoParseError('memory.pressure: the "some" line is missing', { source: 'memory.pressure', field: 'some' }),
    );
  });

  it('names a broken line', () => {
    expect(() => parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=10\nfull avg10=x\n')).toThrowError(
      '/proc/pressure/memory line 2: expected "some|full avg10=N avg60=N avg300=N total=N", got "full avg10=x"',
    );
  });

  it('refuses a line given twice', () => {
    expect(() => parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=2\n')).toThrowError(
      '/proc/pressure/memory line 2: "some" appears twice',
    );
  });
});
