import { readFile } from 'node:fs/promises';
import { parseCpuTimes, parsePressure } from '@gov/meminfo';
import type { WorkloadCgroup } from './cgroup.js';
import type { HostSim } from './host-sim.js';
import type { Disturbance } from './report.js';

const GIB = 1024 ** 3;

/** Disturbed: another program dropped the caches, or used more than this share of all CPUs on average. */
export const DISTURBED_OTHER_CPU_PERCENT = 25;

/** How many times anyone wrote `/proc/sys/vm/drop_caches` (this benchmark never does). */
export async function dropPagecacheCount(): Promise<number> {
  const match = /^drop_pagecache (\d+)$/m.exec(await readFile('/proc/vmstat', 'utf8'));
  return match ? Number(match[1]) : 0;
}

async function machineFree(): Promise<number> {
  const match = /^MemFree:\s+(\d+) kB$/m.exec(await readFile('/proc/meminfo', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

async function psiSomeTotal(): Promise<number> {
  return parsePressure(await readFile('/proc/pressure/memory', 'utf8')).some.totalUs;
}

/** The reasons a run counts as disturbed (pure). */
export function disturbanceReasons(externalDrops: number, otherCpuPercent: number, maxLoad1: number, cpus: number): string[] {
  const reasons: string[] = [];
  if (externalDrops > 0) reasons.push(`${externalDrops} drop_caches by another program`);
  if (otherCpuPercent > DISTURBED_OTHER_CPU_PERCENT) reasons.push(`other programs used ${otherCpuPercent.toFixed(0)}% of the CPUs (over ${DISTURBED_OTHER_CPU_PERCENT}%)`);
  if (maxLoad1 > 2 * cpus) reasons.push(`load average reached ${maxLoad1.toFixed(1)} on ${cpus} CPUs`);
  return reasons;
}

/**
 * Samples the guest, the machine and (in the host scenario) steps the simulated host once a
 * second, labelled with the workload's phase. CPU used by others = the machine's busy time less
 * the guest cgroup's and this process's own.
 */
export async function startSampler(options: { cgroup: WorkloadCgroup; vmSize: number; cpus: number; host: HostSim | null; extraGuestCharged?: () => number }) {
  const { cgroup, vmSize, cpus, host } = options;
  const samples: { atMs: number; phase: string; guestFree: number; cache: number; machineFree: number }[] = [];
  let phase = 'setup';
  let running = true;
  const dropsBefore = await dropPagecacheCount();
  const stallBefore = await psiSomeTotal();
  const oomBefore = (await cgroup.read()).oomKills;
  const machineBefore = parseCpuTimes(await readFile('/proc/stat', 'utf8'));
  const guestBefore = await cgroup.cpuNanoseconds();
  const selfBefore = process.cpuUsage();
  let maxLoad1 = 0;
  if (host) {
    const memory = await cgroup.read();
    await host.begin(memory.cache + memory.rss);
  }
  const loop = (async () => {
    while (running) {
      const memory = await cgroup.read();
      samples.push({ atMs: Date.now(), phase, guestFree: Math.max(0, vmSize - memory.cache - memory.rss), cache: memory.cache, machineFree: await machineFree() });
      maxLoad1 = Math.max(maxLoad1, Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]));
      if (host) await host.step(memory.cache + memory.rss);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return {
    setPhase(next: string) {
      phase = next;
    },
    async stop() {
      running = false;
      await loop;
      await host?.end();
      const measured = samples.filter((sample) => sample.phase !== 'setup');
      const mean = (pick: (sample: (typeof samples)[number]) => number) => measured.reduce((sum, sample) => sum + pick(sample), 0) / Math.max(1, measured.length);
      let idleCacheGiBMinutes = 0;
      for (let i = 1; i < samples.length; i += 1) {
        const sample = samples[i] as (typeof samples)[number];
        const previous = samples[i - 1] as (typeof samples)[number];
        if (sample.phase === 'idle' && previous.phase === 'idle') idleCacheGiBMinutes += (previous.cache / GIB) * ((sample.atMs - previous.atMs) / 60_000);
      }
      const machine = parseCpuTimes(await readFile('/proc/stat', 'utf8'));
      const ticksPerSecond = 100;
      const wallCpuSeconds = (machine.total - machineBefore.total) / ticksPerSecond;
      const guestSeconds = ((await cgroup.cpuNanoseconds()) - guestBefore) / 1e9;
      const self = process.cpuUsage(selfBefore);
      const selfSeconds = (self.user + self.system) / 1e6;
      const otherSeconds = (machine.busy - machineBefore.busy) / ticksPerSecond - guestSeconds - selfSeconds;
      const otherCpuPercent = wallCpuSeconds > 0 ? Math.max(0, (otherSeconds / wallCpuSeconds) * 100) : 0;
      const externalDrops = (await dropPagecacheCount()) - dropsBefore;
      const disturbance: Disturbance = { externalDrops, otherCpuPercent, maxLoad1, reasons: disturbanceReasons(externalDrops, otherCpuPercent, maxLoad1, cpus) };
      return {
        meanGuestFreeBytes: mean((sample) => sample.guestFree),
        meanMachineFreeBytes: mean((sample) => sample.machineFree),
        idleCacheGiBMinutes,
        stallUs: (await psiSomeTotal()) - stallBefore,
        oomKills: (await cgroup.read()).oomKills - oomBefore,
        disturbance,
      };
    },
  };
}
