import type { WorkloadCgroup } from './cgroup.js';
import { emptyTally, type Contender, type ReclaimEvent } from './contender.js';

/*
 * WSL's `autoMemoryReclaim`, as WSL's own init implements it (microsoft/WSL,
 * src/linux/init/main.cpp, `ConfigureMemoryReduction`), on the guest cgroup:
 * - every 30 s it reads the VM's user CPU time (first field of /proc/stat, in ticks);
 * - idle = under 0.5% of all CPUs over the last 30 s and over the whole window: 6 readings
 *   (3 minutes) in `gradual` mode, 20 readings (10 minutes) in `dropcache` mode;
 * - `dropcache`: once per idle period, `drop_caches` = 1;
 * - `gradual`: every 30 s while idle, `memory.reclaim` of 3% of the memory in use (total − free),
 *   while that is above 1 GiB; it rests once the target falls under 1 GiB and starts again above
 *   1.1 GiB.
 * It never reads the host: a busy guest is never reclaimed, whatever Windows is short of.
 */

export interface WslIdleConfig {
  cpus: number;
  /** USER_HZ. */
  ticksPerSecond: number;
  windowLength: number;
}

/** Readings of the user CPU counter, oldest first; `-Infinity` where the window is not full yet. */
export interface WslIdleState {
  window: number[];
  /** Position of the newest reading. */
  index: number;
}

export function startWslIdle(config: WslIdleConfig): WslIdleState {
  // As WSL: slot 0 starts at 0, the others at LLONG_MIN, so the window must fill first.
  return { window: Array.from({ length: config.windowLength }, (_, i) => (i === 0 ? 0 : Number.NEGATIVE_INFINITY)), index: 0 };
}

/** One 30-second check: whether the VM counts as idle now, and the window with this reading in it. */
export function checkWslIdle(state: WslIdleState, userTicks: number, config: WslIdleConfig): { idle: boolean; state: WslIdleState } {
  const threshold = (config.cpus * config.ticksPerSecond * 30) / 200;
  const last = (state.index + 1) % config.windowLength;
  const idle = (state.window[last] as number) > userTicks - threshold * (config.windowLength + 1) && (state.window[state.index] as number) > userTicks - threshold;
  const window = [...state.window];
  window[last] = userTicks;
  return { idle, state: { window, index: last } };
}

export interface WslOptions {
  cgroup: WorkloadCgroup;
  cpus: number;
  ticksPerSecond?: number;
  /** 30 s in WSL. */
  checkMs?: number;
  onReclaim?: (event: ReclaimEvent) => void;
}

const GIB = 1024 ** 3;

export function createWslAutoReclaim(mode: 'dropcache' | 'gradual', options: WslOptions): Contender {
  const config: WslIdleConfig = { cpus: options.cpus, ticksPerSecond: options.ticksPerSecond ?? 100, windowLength: mode === 'gradual' ? 6 : 20 };
  const checkMs = options.checkMs ?? 30_000;
  let tally = emptyTally();
  let running = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> = Promise.resolve();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function record(freedBytes: number, what: string): Promise<void> {
    tally.actions += 1;
    tally.freedBytes += freedBytes;
    const event = { at: Date.now(), freedBytes, what };
    tally.events.push(event);
    options.onReclaim?.(event);
  }

  async function watch(): Promise<void> {
    let state = startWslIdle(config);
    let resting = false;
    await sleep(checkMs);
    while (running) {
      const started = Date.now();
      const check = checkWslIdle(state, await options.cgroup.userTicks(), config);
      state = check.state;
      if (!check.idle) resting = false;
      else if (mode === 'dropcache') {
        if (!resting) {
          resting = true;
          await record(await options.cgroup.forceEmpty(), 'drop_caches=1');
        }
      } else {
        const { cache, rss } = await options.cgroup.read();
        const inUse = cache + rss;
        if (inUse > 1.1 * GIB) resting = false;
        if (!resting && inUse > GIB) {
          const target = inUse * 0.97;
          await record(await options.cgroup.reclaimBytes(inUse - target), `memory.reclaim ${Math.round((inUse - target) / 2 ** 20)} MiB`);
          if (target < GIB) resting = true;
        }
      }
      if (running) await sleep(Math.max(0, checkMs - (Date.now() - started)));
    }
  }

  return {
    name: mode === 'dropcache' ? 'wsl-dropcache' : 'wsl-gradual',
    start() {
      tally = emptyTally();
      running = true;
      loop = watch();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      return { ...tally, events: [...tally.events] };
    },
  };
}
