import { describe, expect, test } from 'vitest';
import { GiB, MiB, wslSnapshot } from '../test/builders.js';
import { applyAdvice } from './advice.js';
import { defaultConfig } from './config-schema.js';
import type { ReclaimDecision } from './decide.js';

const decision: ReclaimDecision = { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: 2 * GiB, code: 'host-below-target', reason: 'host is low' };
const snapshot = wslSnapshot(4);

describe('applyAdvice', () => {
  test('allow keeps the decision as it is', () => {
    expect(applyAdvice(decision, { verdict: 'allow', reason: 'fine' }, snapshot, defaultConfig)).toBe(decision);
  });

  test('veto turns it into nothing, saying why', () => {
    expect(applyAdvice(decision, { verdict: 'veto', reason: 'cache is hot' }, snapshot, defaultConfig)).toEqual({ kind: 'none', policy: 'dynamic', code: 'advisor-veto', reason: 'host is low; advisor vetoed: cache is hot' });
  });

  test('shrink lowers the target, never raises it, and a shrink below 1 MiB is a veto', () => {
    expect(applyAdvice(decision, { verdict: 'shrink', targetBytes: 512 * MiB, reason: 'less' }, snapshot, defaultConfig)).toEqual({ ...decision, targetBytes: 512 * MiB, reason: 'host is low; advisor shrank it to 512 MiB: less' });
    expect(applyAdvice(decision, { verdict: 'shrink', targetBytes: 8 * GiB, reason: 'more' }, snapshot, defaultConfig)).toBe(decision);
    expect(applyAdvice(decision, { verdict: 'shrink', targetBytes: 1000, reason: 'tiny' }, snapshot, defaultConfig)).toEqual({ kind: 'none', policy: 'dynamic', code: 'advisor-veto', reason: 'host is low; advisor shrank it below 1 MiB: tiny' });
  });

  test('raise only raises, and the raised target still clears the floor', () => {
    expect(applyAdvice(decision, { verdict: 'raise', targetBytes: 3 * GiB, reason: 'idle' }, snapshot, defaultConfig)).toEqual({ ...decision, targetBytes: 3 * GiB, reason: 'host is low; advisor raised it to 3072 MiB: idle' });
    expect(applyAdvice(decision, { verdict: 'raise', targetBytes: GiB, reason: 'lower?' }, snapshot, defaultConfig)).toBe(decision);
    const raised = applyAdvice(decision, { verdict: 'raise', targetBytes: 1024 * GiB, reason: 'all' }, snapshot, defaultConfig);
    expect(raised).toMatchObject({ kind: 'reclaim', reason: expect.stringMatching(/floor; advisor raised it to \d+ MiB: all$/) });
    expect((raised as ReclaimDecision).targetBytes).toBeLessThan(1024 * GiB);
  });
});
