import type { SnapshotLike } from '../src/types.js';

const GIB = 1024 ** 3;

/** A snapshot of a 16 GiB machine, with overrides for the parts a test cares about. */
export function buildSnapshot(overrides: { at?: string; free?: number; reclaimable?: number; used?: number; psi?: number; refaults?: number; oomKills?: number; total?: number; host?: SnapshotLike['host']; cpu?: SnapshotLike['cpu'] } = {}): SnapshotLike {
  const total = overrides.total ?? 16 * GIB;
  const used = overrides.used ?? 6 * GIB;
  return {
    at: overrides.at ?? '2026-11-22T10:00:00.000Z',
    linux: { total, free: overrides.free ?? 4 * GIB, used, available: total - used, reclaimable: overrides.reclaimable ?? 6 * GIB },
    pressure: { some: { avg10: overrides.psi ?? 0 } },
    vmstat: { workingsetRefaultFile: overrides.refaults ?? 1000, workingsetRefaultAnon: 0, oomKill: overrides.oomKills ?? 0 },
    cpu: overrides.cpu ?? null,
    host: overrides.host ?? null,
  };
}

export { GIB };
