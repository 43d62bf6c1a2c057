import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Inputs one area of the hostile-input suite tried, how many were handled, and how many broke an invariant. */
export interface AreaCount {
  area: string;
  tried: number;
  handled: number;
  failed: number;
}

/**
 * Counts the inputs a hostile-input (fuzz and fault) test file tries, per area. `check` runs one
 * input's assertions: it counts the input as handled when they pass and as failed when they throw
 * (and rethrows, so the test fails and fast-check shrinks it). `report()` prints the counts and,
 * when `$GOV_HOSTILE_REPORT` names a directory, writes them there as `<name>.json` for
 * `tools/hostile-report.mjs` to add up.
 */
export function createTally(name: string) {
  const areas = new Map<string, AreaCount>();
  const countOf = (area: string) => {
    let count = areas.get(area);
    if (!count) areas.set(area, (count = { area, tried: 0, handled: 0, failed: 0 }));
    return count;
  };
  return {
    async check<T>(area: string, run: () => T | Promise<T>): Promise<T> {
      const count = countOf(area);
      count.tried += 1;
      try {
        const value = await run();
        count.handled += 1;
        return value;
      } catch (error) {
        count.failed += 1;
        throw error;
      }
    },
    counts(): AreaCount[] {
      return [...areas.values()];
    },
    report(): void {
      const rows = [...areas.values()];
      const width = Math.max(4, ...rows.map((row) => row.area.length));
      const lines = rows.map((row) => `${row.area.padEnd(width)}  ${String(row.tried).padStart(6)}  ${String(row.handled).padStart(7)}  ${String(row.failed).padStart(6)}`);
      console.info([`hostile inputs — ${name}`, `${'area'.padEnd(width)}   tried  handled  failed`, ...lines].join('\n'));
      const dir = process.env['GOV_HOSTILE_REPORT'];
      if (dir) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(rows, null, 2)}\n`);
      }
    },
  };
}
