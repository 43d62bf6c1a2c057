import { describe, expect, it } from 'vitest';
import { normaliseReclaimMethod, RECLAIM_METHOD_NAMES } from './catalogue.js';

describe('normaliseReclaimMethod', () => {
  it('reads every catalogue name as itself and each short name as the method it stands for', () => {
    expect(Object.fromEntries(RECLAIM_METHOD_NAMES.map((name) => [name, normaliseReclaimMethod(name)]))).toEqual({
      drop_caches: 'drop_caches',
      compact_memory: 'compact_memory',
      cgroup_reclaim: 'cgroup_reclaim',
      full: 'full',
      compact: 'compact_memory',
      cgroup: 'cgroup_reclaim',
    });
  });

  it.each(['', 'drop', 'DROP_CACHES', 'compact-memory', 'toString', '__proto__', 'hasOwnProperty'])('knows no method called %j', (name) => {
    expect(normaliseReclaimMethod(name)).toBe(null);
  });
});
