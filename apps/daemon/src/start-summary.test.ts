import { validateConfig } from '@gov/policies';
import { describe, expect, it } from 'vitest';
import { describeStart } from './start-summary.js';

const url = 'http://127.0.0.1:7878';
const at = (toml: Parameters<typeof validateConfig>[0], facts: { dryRunFlag?: boolean; isRoot?: boolean } = {}) =>
  describeStart({ config: validateConfig(toml), configPath: '/etc/gov/config.toml', dryRunFlag: facts.dryRunFlag ?? false, isRoot: facts.isRoot ?? true, url });

describe('describeStart', () => {
  it('says what runs, whether it acts and how to change that', () => {
    expect([
      at({}),
      at({}, { dryRunFlag: true }),
      at({ governor: { dry_run: true, policy: 'scheduled' } }),
      at({ governor: { enabled: false } }),
      at({ governor: { check_interval_secs: 5 } }, { isRoot: false }),
    ]).toEqual([
      { acting: true, message: 'policy dynamic, checked every 30 s; it acts: it reclaims memory when the policy says so. To watch without changing anything, start it with --dry-run. Control Center on http://127.0.0.1:7878/' },
      { acting: false, message: 'policy dynamic, checked every 30 s; dry run (--dry-run): it decides and records, and changes nothing. Control Center on http://127.0.0.1:7878/' },
      { acting: false, message: 'policy scheduled, checked every 30 s; dry run (governor.dry_run in /etc/gov/config.toml): it decides and records, and changes nothing. Control Center on http://127.0.0.1:7878/' },
      { acting: false, message: 'policy dynamic, checked every 30 s; the governor is disabled (governor.enabled = false): it watches and decides nothing. Control Center on http://127.0.0.1:7878/' },
      { acting: false, message: 'policy dynamic, checked every 5 s; not root, so every reclaim it decides will fail: run it as root to act, or with --dry-run to watch. Control Center on http://127.0.0.1:7878/' },
    ]);
  });
});
