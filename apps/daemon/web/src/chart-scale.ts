const KIB = 1024;
const UNIT_BYTES = [1, KIB, KIB ** 2, KIB ** 3, KIB ** 4];

/**
 * The y range of the memory chart. Focused: the values' own span with a little room, so a change
 * of a few MiB on a 16 GiB machine is visible; from zero: `0` to the largest value.
 */
export function valueDomain(values: readonly number[], fromZero: boolean): [number, number] {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return [0, 1];
  const max = Math.max(...finite);
  if (fromZero) return [0, max > 0 ? max * 1.05 : 1];
  const min = Math.min(...finite);
  // A flat line still gets a band around it: 1% of its value, at least 1 MiB.
  const pad = Math.max((max - min) * 0.1, max * 0.005, KIB ** 2);
  return [Math.max(0, min - pad), max + pad];
}

/** About `count` round byte values across `[min, max]`: steps of 1, 2 or 5 of a binary unit. */
export function byteTicks(min: number, max: number, count = 4): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / count;
  // The largest unit a step is at least a tenth of: 1 GiB steps rather than 1000 MiB ones.
  const unit = [...UNIT_BYTES].reverse().find((bytes) => bytes / 10 <= raw) ?? 1;
  const scaled = raw / unit;
  const magnitude = 10 ** Math.floor(Math.log10(scaled));
  const step = ([1, 2, 5, 10].find((factor) => factor * magnitude >= scaled) ?? 10) * magnitude * unit;
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max; tick += step) if (tick >= min) ticks.push(tick);
  return ticks;
}

const TIME_STEPS_MS = [60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];

/** About `count` round times across `[fromMs, toMs]` (whole minutes, hours or days, in local time). */
export function timeTicks(fromMs: number, toMs: number, count = 5): number[] {
  const span = toMs - fromMs;
  if (!(span > 0)) return [fromMs];
  const step = TIME_STEPS_MS.find((ms) => ms >= span / count) ?? 86_400_000;
  const offsetMs = new Date(fromMs).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let tick = Math.ceil((fromMs - offsetMs) / step) * step + offsetMs; tick <= toMs; tick += step) ticks.push(tick);
  return ticks;
}

/** The index of the time in a sorted list nearest to `timeMs`; -1 for an empty list. */
export function nearestIndex(timesMs: readonly number[], timeMs: number): number {
  if (timesMs.length === 0) return -1;
  let low = 0;
  let high = timesMs.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((timesMs[middle] as number) < timeMs) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && Math.abs((timesMs[low - 1] as number) - timeMs) <= Math.abs((timesMs[low] as number) - timeMs)) return low - 1;
  return low;
}
