import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDamon, readDamonPageout } from './damon.js';

/** Writes files under `root`, laid out like `/sys/kernel/mm/damon/admin/kdamonds`. */
async function layout(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), `${text}\n`);
  }
}

describe('readDamonPageout', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gov-damon-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds the pageout schemes of kdamonds that are on, with their age and quota', async () => {
    await layout(root, {
      '0/state': 'on',
      '0/contexts/0/monitoring_attrs/intervals/aggr_us': '5000000',
      '0/contexts/0/schemes/0/action': 'pageout',
      '0/contexts/0/schemes/0/access_pattern/age/min': '12',
      '0/contexts/0/schemes/0/quotas/bytes': '134217728',
      '0/contexts/0/schemes/0/quotas/reset_interval_ms': '1000',
      '0/contexts/0/schemes/1/action': 'stat',
      '1/state': 'off',
      '1/contexts/0/monitoring_attrs/intervals/aggr_us': '100000',
      '1/contexts/0/schemes/0/action': 'pageout',
      '1/contexts/0/schemes/0/access_pattern/age/min': '5',
      nr_kdamonds: '2',
    });
    const schemes = await readDamonPageout(root);
    expect(schemes).toEqual([{ kdamond: '0', minAgeMs: 60_000, quotaBytes: 134_217_728, quotaIntervalMs: 1000 }]);
    expect(describeDamon(schemes)).toBe('kernel proactive reclaim: DAMON kdamond 0 pages out memory idle for 60 s or more, at most 128 MiB per 1 s — in every run, none included');
  });

  it('says so when no kernel reclaim runs, or DAMON is not there at all', async () => {
    expect(await readDamonPageout(join(root, 'missing'))).toEqual([]);
    expect(describeDamon([])).toBe('kernel proactive reclaim: none (no DAMON pageout scheme on)');
  });
});
