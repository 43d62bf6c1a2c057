import { describe, expect, it } from 'vitest';
import { buildSnapshot, GIB } from '../test/builders.js';
import { createOutcomeTracker } from './outcome.js';

const MIB = 1024 ** 2;
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const snap = (minutes: number, overrides: Parameters<typeof buildSnapshot>[0] = {}) => buildSnapshot({ at: at(minutes).toISOString(), ...overrides });

describe('createOutcomeTracker', () => {
  it('measures kept bytes, refaults, PSI rise and OOM kills at the 5-minute horizon', () => {
    const tracker = createOutcomeTracker<string>({ horizonMs: 300_000 });
    expect(tracker.track(at(0), snap(0, { free: 2 * GIB, refaults: 1000, psi: 1 }), 3 * GIB, 'first')).toBe(true);
    expect(tracker.observe(snap(1, { free: 5 * GIB, psi: 4 }), at(1))).toEqual([]);
    expect(tracker.observe(snap(3, { free: 4.5 * GIB, psi: 2 }), at(3))).toEqual([]);
    expect(tracker.pending).toBe(1);
    const done = tracker.observe(snap(5, { free: 4 * GIB, refaults: 1000 + 1024, psi: 2, oomKills: 0 }), at(5));
    expect(done).toEqual([
      {
        payload: 'first',
        outcome: {
          actionAt: '2026-11-22T10:00:00.000Z',
          measuredAt: '2026-11-22T10:05:00.000Z',
          freedBytes: 3 * GIB,
          keptBytes: 2 * GIB,
          refaultedBytes: 4 * MIB,
          psiRise: 3,
          oomKills: 0,
          feedback: null,
          harm: false,
          harmReasons: [],
          memTotal: 16 * GIB,
        },
      },
    ]);
    expect(tracker.pending).toBe(0);
  });

  it('labels harm from refault storms, PSI rises, OOM kills and slow feedback, with the reasons', () => {
    const tracker = createOutcomeTracker<number>({ horizonMs: 300_000 });
    tracker.track(at(0), snap(0, { refaults: 0, oomKills: 4 }), 1 * GIB, 1);
    tracker.track(at(0), snap(0, { psi: 0, refaults: 262_144, oomKills: 4 }), 1 * GIB, 2);
    tracker.track(at(0), snap(0, { oomKills: 3, refaults: 262_144 }), 1 * GIB, 3);
    tracker.track(at(0), snap(0, { refaults: 262_144, oomKills: 4 }), 1 * GIB, 4);
    expect(tracker.feedback('slow', at(2))).toBe(4);
    tracker.observe(snap(2, { psi: 25 }), at(2));
    const done = tracker.observe(snap(5, { refaults: 262_144, psi: 5, oomKills: 4 }), at(5));
    expect(done.map(({ payload, outcome }) => [payload, outcome.harm, outcome.harmReasons])).toEqual([
      [1, true, ['slow feedback', 'refaulted 1024 MiB', 'PSI rose 25.0 points']],
      [2, true, ['slow feedback', 'PSI rose 25.0 points']],
      [3, true, ['slow feedback', '1 OOM kill(s)', 'PSI rose 25.0 points']],
      [4, true, ['slow feedback', 'PSI rose 25.0 points']],
    ]);
  });

  it('blames an action for no more refaults than it freed, as the counters count the whole machine', () => {
    const tracker = createOutcomeTracker<string>({ horizonMs: 300_000 });
    // 1 GiB refaults in the window (another reclaimer evicted what is read again).
    tracker.track(at(0), snap(0, { refaults: 0 }), 32 * MIB, 'small');
    tracker.track(at(0), snap(0, { refaults: 0 }), 256 * MIB, 'large');
    const done = tracker.observe(snap(5, { refaults: 262_144 }), at(5));
    expect(done.map(({ payload, outcome }) => [payload, outcome.refaultedBytes, outcome.harm, outcome.harmReasons])).toEqual([
      ['small', GIB, false, []],
      ['large', GIB, true, ['refaulted 1024 MiB']],
    ]);
  });

  it('takes "ok" feedback as a positive label over the measured heuristics, but not over an OOM kill', () => {
    const tracker = createOutcomeTracker<string>({ horizonMs: 300_000 });
    tracker.track(at(0), snap(0, { refaults: 0 }), 1 * GIB, 'refaulted');
    tracker.track(at(0), snap(0, { oomKills: 0, refaults: 262_144 }), 1 * GIB, 'oom');
    tracker.feedback('ok', at(1));
    const done = tracker.observe(snap(5, { refaults: 262_144, oomKills: 1 }), at(5));
    expect(done.map(({ payload, outcome }) => [payload, outcome.harm, outcome.feedback, outcome.harmReasons])).toEqual([
      ['refaulted', true, 'ok', ['1 OOM kill(s)', 'refaulted 1024 MiB']],
      ['oom', true, 'ok', ['1 OOM kill(s)']],
    ]);
    const second = createOutcomeTracker<string>({ horizonMs: 300_000 });
    second.track(at(0), snap(0, { refaults: 0 }), 1 * GIB, 'refaulted');
    second.feedback('ok', at(4));
    expect(second.observe(snap(5, { refaults: 262_144 }), at(5)).map(({ outcome }) => [outcome.harm, outcome.harmReasons])).toEqual([[false, ['ok feedback']]]);
  });

  it('ignores feedback outside the window and never counts more kept bytes than were freed', () => {
    const tracker = createOutcomeTracker<string>({ horizonMs: 300_000 });
    tracker.track(at(10), snap(10, { free: 1 * GIB }), 512 * MIB, 'a');
    expect(tracker.feedback('slow', at(9))).toBe(0);
    expect(tracker.feedback('slow', at(16))).toBe(0);
    const [done] = tracker.observe(snap(15, { free: 8 * GIB }), at(15));
    expect([done?.outcome.keptBytes, done?.outcome.harm]).toEqual([512 * MIB, false]);
  });

  it('drops an action whose horizon was never observed in time instead of guessing', () => {
    const tracker = createOutcomeTracker<string>({ horizonMs: 300_000 });
    tracker.track(at(0), snap(0), GIB, 'late');
    expect(tracker.observe(snap(11), at(11))).toEqual([]);
    expect([tracker.pending, tracker.expired]).toEqual([0, 1]);
  });

  it('does not track an action without a Linux baseline', () => {
    const tracker = createOutcomeTracker<string>({ horizonMs: 300_000 });
    expect(tracker.track(at(0), { ...snap(0), linux: null }, GIB, 'x')).toBe(false);
    expect(tracker.pending).toBe(0);
  });
});
