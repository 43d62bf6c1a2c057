import { wasteBytes, type Snapshot } from '@gov/meminfo/model';

/** One part of the memory bar. */
export interface Segment {
  key: 'apps' | 'cache' | 'vm-free' | 'host-other' | 'free';
  label: string;
  bytes: number;
}

/** Where memory is, as the stacked bar shows it. */
export interface Breakdown {
  /** `host`: across the Windows host, the WSL VM inside it; `linux`: across this machine's RAM. */
  scope: 'host' | 'linux';
  totalBytes: number;
  availableBytes: number;
  segments: Segment[];
  /** The VM's working set (`vmmem`/`vmmemWSL`), when the host is known. */
  vmmemBytes: number | null;
  /** `vmmem − what Linux apps use`: held by the VM for nothing. `null` where unknown. */
  wasteBytes: number | null;
}

/**
 * Splits a snapshot into the parts of one stacked bar. Under WSL2 with the host known, the bar is
 * the Windows host: what Linux apps use, page cache and the VM's free memory inside the VM's
 * working set, then what the rest of Windows uses and what is available. Elsewhere it is Linux's
 * RAM: apps, page cache, free. Parts of zero bytes are left out.
 */
export function memoryBreakdown(snapshot: Pick<Snapshot, 'linux' | 'host'>): Breakdown | null {
  const { linux, host } = snapshot;
  if (linux === null) return null;
  const apps = Math.max(0, linux.actualUsage);
  const vmmem = host?.vmmem ?? null;
  if (host !== null && vmmem !== null) {
    const cache = Math.min(linux.reclaimable, Math.max(0, vmmem - apps));
    const segments: Segment[] = [
      { key: 'apps', label: 'Linux apps', bytes: apps },
      { key: 'cache', label: 'Page cache', bytes: cache },
      { key: 'vm-free', label: 'VM free, still held', bytes: Math.max(0, vmmem - apps - cache) },
      { key: 'host-other', label: 'Rest of Windows', bytes: Math.max(0, host.total - host.available - vmmem) },
      { key: 'free', label: 'Windows available', bytes: host.available },
    ];
    return { scope: 'host', totalBytes: host.total, availableBytes: host.available, segments: segments.filter((segment) => segment.bytes > 0), vmmemBytes: vmmem, wasteBytes: wasteBytes(snapshot) };
  }
  const segments: Segment[] = [
    { key: 'apps', label: 'Linux apps', bytes: apps },
    { key: 'cache', label: 'Page cache', bytes: linux.reclaimable },
    { key: 'free', label: 'Free', bytes: linux.free },
  ];
  return { scope: 'linux', totalBytes: linux.total, availableBytes: linux.available, segments: segments.filter((segment) => segment.bytes > 0), vmmemBytes: null, wasteBytes: null };
}

/** Each segment's share of the bar in percent; the bar is the larger of the total and the parts' sum. */
export function segmentShares(breakdown: Breakdown): number[] {
  const sum = breakdown.segments.reduce((total, segment) => total + segment.bytes, 0);
  const whole = Math.max(breakdown.totalBytes, sum, 1);
  return breakdown.segments.map((segment) => (segment.bytes / whole) * 100);
}
