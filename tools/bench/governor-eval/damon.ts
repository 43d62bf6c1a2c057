import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const ADMIN = '/sys/kernel/mm/damon/admin/kdamonds';

/** One DAMON scheme that pages memory out by itself: reclaim that runs whatever the contender. */
export interface DamonPageout {
  kdamond: string;
  /** Regions untouched for at least this long are paged out. */
  minAgeMs: number;
  /** At most this many bytes per `quotaIntervalMs` (0 = no quota). */
  quotaBytes: number;
  quotaIntervalMs: number;
}

async function read(path: string): Promise<string | null> {
  return readFile(path, 'utf8').then(
    (text) => text.trim(),
    () => null,
  );
}

async function list(path: string): Promise<string[]> {
  return readdir(path).then(
    (names) => names.filter((name) => /^\d+$/.test(name)),
    () => [],
  );
}

/**
 * The kernel's own proactive reclaim, when one runs: DAMON (`/sys/kernel/mm/damon`) schemes
 * whose action is `pageout`, on a kdamond that is on. They evict idle page cache during every
 * run, `none` included, so the results say so.
 */
export async function readDamonPageout(root = ADMIN): Promise<DamonPageout[]> {
  const found: DamonPageout[] = [];
  for (const kdamond of await list(root)) {
    if ((await read(join(root, kdamond, 'state'))) !== 'on') continue;
    for (const context of await list(join(root, kdamond, 'contexts'))) {
      const dir = join(root, kdamond, 'contexts', context);
      const aggregationUs = Number(await read(join(dir, 'monitoring_attrs', 'intervals', 'aggr_us')));
      for (const scheme of await list(join(dir, 'schemes'))) {
        const schemeDir = join(dir, 'schemes', scheme);
        if ((await read(join(schemeDir, 'action'))) !== 'pageout') continue;
        const minAge = Number(await read(join(schemeDir, 'access_pattern', 'age', 'min')));
        found.push({
          kdamond,
          minAgeMs: Number.isFinite(minAge * aggregationUs) ? (minAge * aggregationUs) / 1000 : 0,
          quotaBytes: Number(await read(join(schemeDir, 'quotas', 'bytes'))) || 0,
          quotaIntervalMs: Number(await read(join(schemeDir, 'quotas', 'reset_interval_ms'))) || 0,
        });
      }
    }
  }
  return found;
}

/** One line for the report. */
export function describeDamon(schemes: DamonPageout[]): string {
  if (schemes.length === 0) return 'kernel proactive reclaim: none (no DAMON pageout scheme on)';
  const parts = schemes.map((scheme) => {
    const quota = scheme.quotaBytes > 0 ? `, at most ${Math.round(scheme.quotaBytes / 1048576)} MiB per ${scheme.quotaIntervalMs / 1000} s` : '';
    return `DAMON kdamond ${scheme.kdamond} pages out memory idle for ${scheme.minAgeMs / 1000} s or more${quota}`;
  });
  return `kernel proactive reclaim: ${parts.join('; ')} — in every run, none included`;
}
