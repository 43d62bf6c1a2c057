import type { WorkloadCgroup } from './cgroup.js';
import type { ReclaimEvent } from './contender.js';
import { demandAt, hostAvailable, installPowershellStandIn, NEW_VM, renderHostQuery, stepVmmem, vmmemBytes, wslShouldCompact, type DemandPoint, type VmmemState } from './host.js';
import type { HostMeasure } from './report.js';

export interface HostSimOptions {
  dir: string;
  cgroup: WorkloadCgroup;
  totalBytes: number;
  demand: DemandPoint[];
  /** gov's `host_target_available_percent` (25 by default): the crossing the reaction is timed from. */
  targetPercent: number;
  emergencyPercent: number;
  cpus: number;
  /** Share of freed guest memory reported to the host without compaction (default 0). */
  reportedShare?: number;
}

export type HostSim = Awaited<ReturnType<typeof createHostSim>>;

/**
 * The simulated Windows host, stepped once a second by the run's sampler: demand of other
 * programs from the curve, vmmem from the guest's charged memory (freed pages handed back at
 * the next compaction — WSL's own thread, or a contender's `compact_memory`), published through
 * the stand-in `powershell.exe`.
 */
export async function createHostSim(options: HostSimOptions) {
  const standIn = await installPowershellStandIn(options.dir);
  let startedAt = Date.now();
  let vm: VmmemState = NEW_VM;
  let compactionPending = false;
  let compactions = 0;
  let samples: { atMs: number; available: number; vmmem: number; demand: number }[] = [];
  let events: ReclaimEvent[] = [];
  let crossedAt: number | null = null;
  let thread: { running: boolean; loop: Promise<void> } | null = null;

  async function wslCompactionThread(state: { running: boolean }): Promise<void> {
    let stop = await options.cgroup.cpuTicks();
    while (state.running) {
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      if (!state.running) return;
      const start = await options.cgroup.cpuTicks();
      if (start - stop <= options.cpus) continue;
      const userStart = await options.cgroup.userTicks();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const userAfter = await options.cgroup.userTicks();
      if (wslShouldCompact(start - stop, userAfter - userStart, options.cpus)) compactionPending = true;
      stop = await options.cgroup.cpuTicks();
    }
  }

  return {
    binDir: standIn.binDir,
    /** A fresh VM for a new run: nothing backed beyond what the guest holds. */
    async begin(charged: number): Promise<void> {
      startedAt = Date.now();
      vm = { charged, unreported: 0 };
      compactionPending = false;
      compactions = 0;
      samples = [];
      events = [];
      crossedAt = null;
      thread = { running: true, loop: Promise.resolve() };
      thread.loop = wslCompactionThread(thread);
      await this.step(charged);
    },
    async end(): Promise<void> {
      if (thread) {
        thread.running = false;
        thread = null;
      }
    },
    /** `compact_memory` in the guest: free pages go back to the host at the next step. */
    compact(): void {
      compactionPending = true;
    },
    recordReclaim(event: ReclaimEvent): void {
      events.push(event);
    },
    async step(charged: number): Promise<void> {
      const now = Date.now();
      const compacted = compactionPending;
      compactionPending = false;
      if (compacted) compactions += 1;
      vm = stepVmmem(vm, charged, compacted, options.reportedShare ?? 0);
      const demand = demandAt(options.demand, now - startedAt);
      const vmmem = vmmemBytes(vm);
      const available = hostAvailable(options.totalBytes, demand, vmmem);
      samples.push({ atMs: now, available, vmmem, demand });
      if (crossedAt === null && (available / options.totalBytes) * 100 < options.targetPercent) crossedAt = now;
      await standIn.publish(renderHostQuery(options.totalBytes, available, vmmem));
    },
    measure(): HostMeasure & { compactions: number; timeline: { atSecs: number; availableBytes: number; vmmemBytes: number; demandBytes: number }[] } {
      let weighted = 0;
      let span = 0;
      let below = 0;
      const emergency = (options.emergencyPercent / 100) * options.totalBytes;
      for (let i = 0; i + 1 < samples.length; i += 1) {
        const a = samples[i] as (typeof samples)[number];
        const dt = ((samples[i + 1] as (typeof samples)[number]).atMs - a.atMs) / 1000;
        weighted += a.available * dt;
        span += dt;
        if (a.available < emergency) below += dt;
      }
      const first = crossedAt === null ? null : events.find((event) => event.at >= (crossedAt as number));
      return {
        crossedAtSecs: crossedAt === null ? null : (crossedAt - startedAt) / 1000,
        reactionSecs: crossedAt === null || !first ? null : (first.at - crossedAt) / 1000,
        minAvailableBytes: Math.min(...samples.map((sample) => sample.available)),
        meanAvailableBytes: span > 0 ? weighted / span : (samples[0]?.available ?? 0),
        belowEmergencySecs: below,
        totalBytes: options.totalBytes,
        compactions,
        timeline: samples.filter((_, i) => i % 5 === 0).map((sample) => ({ atSecs: Math.round((sample.atMs - startedAt) / 100) / 10, availableBytes: sample.available, vmmemBytes: sample.vmmem, demandBytes: sample.demand })),
      };
    },
  };
}
