import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parsePressure } from '@gov/meminfo';
import type { WorkloadCgroup } from './cgroup.js';
import { emptyTally, type Contender, type ReclaimEvent } from './contender.js';

/**
 * senpai (facebookincubator/senpai, `senpai.py`): its defaults, as its argument parser sets them.
 * `pressure` is the target of memory stall per sampling period, in microseconds of PSI `some`.
 */
export interface SenpaiConfig {
  minSize: number;
  maxSize: number;
  /** Seconds between two probes (the tick is 1 s). */
  interval: number;
  pressure: number;
  maxProbe: number;
  maxBackoff: number;
  coeffProbe: number;
  coeffBackoff: number;
}

export const SENPAI_DEFAULTS: SenpaiConfig = {
  minSize: 100 * 2 ** 20,
  maxSize: 100 * 2 ** 30,
  interval: 6,
  pressure: 10_000,
  maxProbe: 0.01,
  maxBackoff: 1.0,
  coeffProbe: 10,
  coeffBackoff: 20,
};

/** What senpai carries from one tick to the next. */
export interface SenpaiState {
  lastTotal: number;
  integral: number;
  graceTicks: number;
}

export function startSenpai(total: number, config: SenpaiConfig = SENPAI_DEFAULTS): SenpaiState {
  return { lastTotal: total, integral: 0, graceTicks: config.interval };
}

/**
 * One 1-second tick of `Senpai.tick()`, pure: the PSI `some` total (µs) in, the next state and
 * the factor to scale the limit by out (positive: loosen, negative: tighten; null: leave it).
 */
export function senpaiTick(state: SenpaiState, total: number, config: SenpaiConfig = SENPAI_DEFAULTS): { state: SenpaiState; adjust: number | null } {
  const integral = state.integral + (total - state.lastTotal);
  if (integral > config.pressure) {
    // Back off exponentially as pressure deviates from the target (senpai's comment).
    const err = integral / config.pressure;
    const adj = Math.min(((err / config.coeffBackoff) ** 2) * config.maxBackoff, config.maxBackoff);
    return { state: { lastTotal: total, integral: 0, graceTicks: config.interval - 1 }, adjust: adj };
  }
  if (state.graceTicks > 0) return { state: { lastTotal: total, integral, graceTicks: state.graceTicks - 1 }, adjust: null };
  const err = config.pressure / Math.max(integral, 1);
  const adj = Math.min(((err / config.coeffProbe) ** 2) * config.maxProbe, config.maxProbe);
  return { state: { lastTotal: total, integral: 0, graceTicks: config.interval - 1 }, adjust: -adj };
}

/**
 * `Cgroup.import_limit`: a limit that someone else moved (or the first one) restarts from what the
 * cgroup holds now; then clamped to [min, max] and page-aligned. `floor` is this benchmark's v1
 * adaptation (see `v1SenpaiCgroup`); senpai's own floor is `minSize`.
 */
export function senpaiLimit(requested: number, context: { expected: number | null; actual: number; current: number; floor: number }, config: SenpaiConfig = SENPAI_DEFAULTS): number {
  const base = context.actual !== context.expected ? context.current : requested;
  const clamped = Math.max(Math.max(config.minSize, context.floor), Math.min(config.maxSize, base));
  return Math.floor(clamped / 4096) * 4096;
}

/**
 * The cgroup senpai drives, in the form the kernel under test offers: which file holds the
 * limit, where the pressure is read, what "current" is and how low the limit may go.
 */
export interface SenpaiCgroup {
  readonly limitPath: string;
  readonly pressurePath: string;
  /** What lifts the limit again when the run ends. */
  readonly unlimited: string;
  /** senpai's `memory.current`. */
  current(): Promise<number>;
  /** The lowest limit this form may set (senpai's own: `min_size`). */
  floor(config: SenpaiConfig): Promise<number>;
}

export interface SenpaiOptions {
  cgroup: SenpaiCgroup;
  config?: SenpaiConfig;
  onReclaim?: (event: ReclaimEvent) => void;
}

const V1_UNLIMITED = 0x7ffffffffffff000;
/** A cgroup held at its limit sits a few MiB under it (charge batches, reclaim overshoot). */
const BINDING_SLACK_BYTES = 8 * 2 ** 20;

/**
 * senpai as written: `memory.high` of a cgroup-v2 group, that group's own `memory.pressure`,
 * `memory.current`, and `min_size` as the floor (`memory.high` throttles; it never OOM-kills).
 */
export function v2SenpaiCgroup(dir: string): SenpaiCgroup {
  return {
    limitPath: join(dir, 'memory.high'),
    pressurePath: join(dir, 'memory.pressure'),
    unlimited: 'max',
    current: async () => Number((await readFile(join(dir, 'memory.current'), 'utf8')).trim()),
    floor: async (config) => config.minSize,
  };
}

/** What `v1SenpaiCgroup` changes, in the words the report prints. */
export const SENPAI_V1_ADAPTATION = "cgroup v1: memory.limit_in_bytes for memory.high, the machine's /proc/pressure/memory for the cgroup's memory.pressure, never below anonymous memory + shmem + min_size";

/**
 * senpai on a cgroup-v1 memory controller (this benchmark's host). The algorithm is unchanged;
 * what the kernel offers differs, and the adaptation is:
 * - the limit file is v1 `memory.limit_in_bytes` (v1 has no `memory.high`); like `memory.high`
 *   it makes the cgroup reclaim its page cache synchronously to stay under it;
 * - the pressure is the machine's `/proc/pressure/memory` (v1 has no per-cgroup
 *   `memory.pressure`): other tenants' stalls count too;
 * - v1's limit OOM-kills where `memory.high` throttles. With no swap, anonymous memory cannot be
 *   reclaimed under either, so the limit never goes below the cgroup's anonymous memory + shmem
 *   plus `min_size`: what senpai can squeeze here is the page cache, as under `memory.high`,
 *   without a v1-only OOM kill deciding the race.
 */
export function v1SenpaiCgroup(cgroup: WorkloadCgroup, pressurePath = '/proc/pressure/memory'): SenpaiCgroup {
  return {
    limitPath: join(cgroup.memoryDir, 'memory.limit_in_bytes'),
    pressurePath,
    unlimited: String(V1_UNLIMITED),
    // v1's usage_in_bytes, kernel memory included.
    current: () => cgroup.usage(),
    async floor(config) {
      const memory = await cgroup.read();
      return memory.rss + memory.shmem + config.minSize;
    },
  };
}

/** A limit file's value; `max` (v2's "no limit") as infinity. */
function parseLimit(text: string): number {
  const value = text.trim();
  return value === 'max' ? Number.POSITIVE_INFINITY : Number(value);
}

/** senpai (`senpai.py`), tick for tick with its defaults, on the cgroup form given. */
export function createSenpai(options: SenpaiOptions): Contender {
  const config = options.config ?? SENPAI_DEFAULTS;
  const { cgroup } = options;
  let tally = emptyTally();
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  const readTotal = async () => parsePressure(await readFile(cgroup.pressurePath, 'utf8')).some.totalUs;
  const readLimit = async () => parseLimit(await readFile(cgroup.limitPath, 'utf8'));

  async function setLimit(requested: number, expected: number | null, tightening: boolean): Promise<number> {
    const current = await cgroup.current();
    const limit = senpaiLimit(requested, { expected, actual: await readLimit(), current, floor: await cgroup.floor(config) }, config);
    try {
      await writeFile(cgroup.limitPath, String(limit));
    } catch (error) {
      // EBUSY (v1): the kernel could not get under it; senpai's next tick sees the limit it kept.
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
    }
    const freed = Math.max(0, current - (await cgroup.current()));
    // A tightening is a reclaim whenever the new limit binds: under what the cgroup holds, or
    // within the few MiB the kernel keeps a capped cgroup below its limit — at the floor too,
    // where it keeps the guest's cache from growing back.
    if (tightening && limit < current + BINDING_SLACK_BYTES) {
      tally.actions += 1;
      tally.freedBytes += freed;
      const event = { at: Date.now(), freedBytes: freed, what: `${basename(cgroup.limitPath)} ${Math.round(limit / 2 ** 20)} MiB` };
      tally.events.push(event);
      options.onReclaim?.(event);
    }
    return readLimit();
  }

  async function run(): Promise<void> {
    let state = startSenpai(await readTotal(), config);
    let limit = await setLimit(0, null, false);
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (!running) break;
      const next = senpaiTick(state, await readTotal(), config);
      state = next.state;
      if (next.adjust === null) continue;
      if (next.adjust < 0) tally.shrinks += 1;
      else tally.raises += 1;
      const actual = await readLimit();
      limit = await setLimit(Math.floor(actual + actual * next.adjust), limit, next.adjust < 0);
    }
  }

  return {
    name: 'senpai',
    start() {
      tally = emptyTally();
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      await loop;
      await writeFile(cgroup.limitPath, cgroup.unlimited).catch(() => writeFile(cgroup.limitPath, '-1'));
      return { ...tally };
    },
  };
}
