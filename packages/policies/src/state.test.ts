import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { snapshot, vmstat } from '../test/builders.js';
import { defaultConfig } from './config-schema.js';
import { createPolicyState, detectIncident, localMinute, MAX_BACKOFF_FACTOR, observeSnapshot, type PolicyState } from './state.js';

const NOW = new Date('2026-01-15T10:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const at = NOW.toISOString();

describe('detectIncident', () => {
  const previous = { at: ago(30), vmstat: vmstat({ oomKill: 4, workingsetRefaultFile: 1000, workingsetRefaultAnon: 500 }) };
  const rows = [
    { name: 'an OOM kill since the previous tick', current: vmstat({ oomKill: 5, workingsetRefaultFile: 1000, workingsetRefaultAnon: 500 }), expected: { kind: 'oom-kill', at, amount: 1 } },
    { name: 'refaults at the storm rate (2000 pages/s over 30 s)', current: vmstat({ oomKill: 4, workingsetRefaultFile: 1000 + 50_000, workingsetRefaultAnon: 500 + 10_000 }), expected: { kind: 'refault-storm', at, amount: 2000 } },
    { name: 'refaults just under the storm rate', current: vmstat({ oomKill: 4, workingsetRefaultFile: 1000 + 59_999, workingsetRefaultAnon: 500 }), expected: null },
    { name: 'a counter that went down (reset) is no incident', current: vmstat({ oomKill: 0, workingsetRefaultFile: 0, workingsetRefaultAnon: 0 }), expected: null },
    { name: 'only the file counter known', current: vmstat({ oomKill: null, workingsetRefaultFile: 1000 + 60_000, workingsetRefaultAnon: null }), expected: { kind: 'refault-storm', at, amount: 2000 } },
    { name: 'no refault counters at all', current: vmstat({ oomKill: null, workingsetRefaultFile: null, workingsetRefaultAnon: null }), expected: null },
  ];
  test.each(rows)('$name', ({ current, expected }) => {
    expect(detectIncident(previous, current, defaultConfig, NOW)).toEqual(expected);
  });

  test('nothing without a previous reading, without vmstat, or without time passing', () => {
    expect(detectIncident(null, vmstat({ oomKill: 9 }), defaultConfig, NOW)).toBeNull();
    expect(detectIncident(previous, null, defaultConfig, NOW)).toBeNull();
    expect(detectIncident({ at, vmstat: vmstat() }, vmstat({ oomKill: 9 }), defaultConfig, NOW)).toBeNull();
  });
});

describe('observeSnapshot: backoff', () => {
  const oom = snapshot({ vmstat: vmstat({ oomKill: 1 }) });
  const calm = snapshot({ vmstat: vmstat() });
  const base = (changes: Partial<PolicyState>): PolicyState => ({ ...createPolicyState(), previous: { at: ago(30), vmstat: vmstat() }, ...changes });

  test('an incident within 5 minutes of a reclaim doubles the factor and blames that reclaim', () => {
    expect(observeSnapshot(base({ lastReclaimAt: ago(299) }), oom, defaultConfig, NOW)).toEqual({
      ...createPolicyState(),
      lastReclaimAt: ago(299),
      backoff: { factor: 2, changedAt: at, blamedActionAt: ago(299) },
      lastIncident: { kind: 'oom-kill', at, amount: 1 },
      previous: { at, vmstat: vmstat({ oomKill: 1 }) },
    });
  });

  test('a pause of idle containers counts as an action too', () => {
    expect(observeSnapshot(base({ lastPauseAt: ago(60) }), oom, defaultConfig, NOW).backoff).toEqual({ factor: 2, changedAt: at, blamedActionAt: ago(60) });
  });

  test('one action is blamed once: a second incident after it does not double again', () => {
    const state = base({ lastReclaimAt: ago(120), backoff: { factor: 2, changedAt: ago(60), blamedActionAt: ago(120) } });
    expect(observeSnapshot(state, oom, defaultConfig, NOW).backoff).toEqual({ factor: 2, changedAt: ago(60), blamedActionAt: ago(120) });
  });

  test('an incident more than 5 minutes after the last action is recorded but not blamed', () => {
    const next = observeSnapshot(base({ lastReclaimAt: ago(301) }), oom, defaultConfig, NOW);
    expect(next.backoff).toEqual({ factor: 1, changedAt: null, blamedActionAt: null });
    expect(next.lastIncident).toEqual({ kind: 'oom-kill', at, amount: 1 });
  });

  test('the factor stops at its maximum', () => {
    const state = base({ lastReclaimAt: ago(10), backoff: { factor: MAX_BACKOFF_FACTOR, changedAt: ago(600), blamedActionAt: ago(700) } });
    expect(observeSnapshot(state, oom, defaultConfig, NOW).backoff.factor).toBe(MAX_BACKOFF_FACTOR);
  });

  test('a clean hour since the last change halves it; an incident inside the hour does not', () => {
    const backingOff = { factor: 4, changedAt: ago(3600), blamedActionAt: ago(3700) };
    expect(observeSnapshot(base({ backoff: backingOff }), calm, defaultConfig, NOW).backoff).toEqual({ factor: 2, changedAt: at, blamedActionAt: ago(3700) });
    expect(observeSnapshot(base({ backoff: { ...backingOff, changedAt: ago(3599) } }), calm, defaultConfig, NOW).backoff.factor).toBe(4);
    const recentIncident = base({ backoff: backingOff, lastIncident: { kind: 'refault-storm', at: ago(1800), amount: 5000 } });
    expect(observeSnapshot(recentIncident, calm, defaultConfig, NOW).backoff.factor).toBe(4);
    // An unblamed incident right now also keeps the hour from being clean.
    expect(observeSnapshot(base({ backoff: backingOff }), oom, defaultConfig, NOW).backoff.factor).toBe(4);
  });

  test('the factor is always a power of two between 1 and the maximum, whatever happens', () => {
    const step = fc.record({ seconds: fc.integer({ min: 1, max: 7200 }), oom: fc.boolean(), acted: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let state = createPolicyState();
        let time = NOW.getTime();
        let ooms = 0;
        for (const { seconds, oom: killed, acted } of steps) {
          time += seconds * 1000;
          if (killed) ooms += 1;
          const now = new Date(time);
          state = observeSnapshot(state, snapshot({ vmstat: vmstat({ oomKill: ooms }) }), defaultConfig, now);
          if (acted) state = { ...state, lastReclaimAt: now.toISOString() };
          expect([1, 2, 4, 8, 16]).toContain(state.backoff.factor);
        }
      }),
    );
  });
});

test('localMinute is the local wall-clock minute', () => {
  expect(localMinute(new Date(2026, 11, 31, 23, 59, 59))).toBe('2026-12-31 23:59');
  expect(localMinute(new Date(2026, 0, 5, 3, 7, 0))).toBe('2026-01-05 03:07');
});
