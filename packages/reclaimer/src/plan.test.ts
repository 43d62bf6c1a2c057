import { describe, expect, it } from 'vitest';
import { ReclaimError } from './errors.js';
import { planReclaim } from './plan.js';
import { validateRequest } from './validate.js';

const v1 = { v2Memory: null, v1Memory: '/sys/fs/cgroup/memory' };
const v2 = { v2Memory: '/sys/fs/cgroup', v1Memory: null };
const none = { v2Memory: null, v1Memory: null };

describe('planReclaim', () => {
  it('plans the fixed sequences', () => {
    expect(planReclaim(validateRequest({ method: 'drop_caches', level: 3 }), none)).toEqual({
      steps: [
        { name: 'sync', action: { kind: 'sync' } },
        { name: 'drop_caches', action: { kind: 'drop_caches', level: 3 } },
      ],
    });
    expect(planReclaim(validateRequest({ method: 'full', sync: false }), none)).toEqual({
      steps: [
        { name: 'drop_caches', action: { kind: 'drop_caches', level: 1 } },
        { name: 'compact_memory', action: { kind: 'compact_memory' } },
      ],
    });
    expect(planReclaim(validateRequest({ method: 'compact_memory' }), none)).toEqual({ steps: [{ name: 'compact_memory', action: { kind: 'compact_memory' } }] });
  });

  it('compacts after drop_caches and cgroup_reclaim when asked, and never twice', () => {
    expect(planReclaim(validateRequest({ method: 'drop_caches', sync: false, compact: true }), none)).toEqual({
      steps: [
        { name: 'drop_caches', action: { kind: 'drop_caches', level: 1 } },
        { name: 'compact_memory', action: { kind: 'compact_memory' } },
      ],
    });
    expect(planReclaim(validateRequest({ method: 'cgroup_reclaim', cgroup: 'docker/abc', targetBytes: 1048576, compact: true }), v2)).toEqual({
      steps: [
        { name: 'cgroup_reclaim', memoryReclaim: { cgroup: 'docker/abc', bytes: 1048576 } },
        { name: 'compact_memory', action: { kind: 'compact_memory' } },
      ],
    });
    expect(planReclaim(validateRequest({ method: 'full', sync: false, compact: true }), none).steps.map((step) => step.name)).toEqual(['drop_caches', 'compact_memory']);
    expect(planReclaim(validateRequest({ method: 'compact_memory', compact: true }), none).steps.map((step) => step.name)).toEqual(['compact_memory']);
  });

  it('reclaims a cgroup through v2 where the memory controller is there, else v1', () => {
    const request = validateRequest({ method: 'cgroup_reclaim', cgroup: 'docker/abc', targetBytes: 1048576 });
    expect(planReclaim(request, v2)).toEqual({ steps: [{ name: 'cgroup_reclaim', memoryReclaim: { cgroup: 'docker/abc', bytes: 1048576 } }] });
    expect(planReclaim(request, { v2Memory: '/sys/fs/cgroup/unified', v1Memory: '/sys/fs/cgroup/memory' })).toEqual({
      steps: [{ name: 'cgroup_reclaim', memoryReclaim: { cgroup: 'docker/abc', bytes: 1048576 } }],
    });
    expect(planReclaim(request, v1)).toEqual({
      steps: [{ name: 'cgroup_reclaim', action: { kind: 'force_empty', cgroup: 'docker/abc' }, note: 'cgroup v1 memory.force_empty reclaims all it can; a byte target does not apply' }],
    });
  });

  it('fails a cgroup reclaim where no memory controller is mounted, or the mounts could not be read', () => {
    const request = validateRequest({ method: 'cgroup_reclaim', cgroup: 'docker/abc' });
    expect(planReclaim(request, none)).toEqual({
      steps: [{ name: 'cgroup_reclaim', failed: new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'no memory cgroup controller is mounted (neither cgroup v2 with memory nor the v1 memory hierarchy)') }],
    });
    const unreadable = new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'EACCES');
    expect(planReclaim(request, unreadable)).toEqual({ steps: [{ name: 'cgroup_reclaim', failed: unreadable }] });
  });

  it('falls back to drop_caches level 1 for the whole machine without a v2 memory controller', () => {
    const request = validateRequest({ method: 'cgroup_reclaim', targetBytes: 1048576, sync: false });
    expect(planReclaim(request, v2)).toEqual({ steps: [{ name: 'cgroup_reclaim', memoryReclaim: { cgroup: '', bytes: 1048576 } }] });
    expect(planReclaim(request, new ReclaimError('GOV_RECLAIM_UNSUPPORTED', 'mountinfo: EACCES'))).toEqual({
      steps: [{ name: 'drop_caches', action: { kind: 'drop_caches', level: 1 } }],
      fallback: { from: 'cgroup_reclaim', to: 'drop_caches', reason: 'the cgroup mounts could not be read (mountinfo: EACCES); dropped the page cache instead' },
    });
  });
});
