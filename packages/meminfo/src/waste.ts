import type { Snapshot } from './types.js';

/**
 * Memory Windows has given the WSL VM that Linux applications are not using:
 * `vmmem working set − actualUsage`, never below 0. `null` where either side is unknown.
 */
export function wasteBytes(snapshot: Pick<Snapshot, 'linux' | 'host'>): number | null {
  const vmmem = snapshot.host?.vmmem ?? null;
  if (vmmem === null || snapshot.linux === null) return null;
  return Math.max(0, vmmem - snapshot.linux.actualUsage);
}
