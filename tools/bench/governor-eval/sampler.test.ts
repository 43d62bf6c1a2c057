import { describe, expect, it } from 'vitest';
import { disturbanceReasons } from './sampler.js';

describe('disturbed runs', () => {
  it('names every reason a run is disturbed, and none for a quiet run', () => {
    expect(disturbanceReasons(0, 3, 1.2, 2)).toEqual([]);
    expect(disturbanceReasons(2, 60, 9.5, 2)).toEqual(['2 drop_caches by another program', 'other programs used 60% of the CPUs (over 25%)', 'load average reached 9.5 on 2 CPUs']);
    expect(disturbanceReasons(0, 25, 4, 2)).toEqual([]);
  });
});
