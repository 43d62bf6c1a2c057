import type { GovConfig } from '@gov/policies';

export interface StartFacts {
  config: GovConfig;
  /** The config file in use; `null` on the built-in defaults. */
  configPath: string | null;
  /** `--dry-run`. */
  dryRunFlag: boolean;
  isRoot: boolean;
  /** Where the API and the Control Center answer. */
  url: string;
}

/**
 * What govd says when it starts, in words a first-time user can act on: the policy it runs,
 * whether it will change anything (and why not), and how to run it dry or for real.
 */
export function describeStart(facts: StartFacts): { acting: boolean; message: string } {
  const { governor } = facts.config;
  const policy = `policy ${governor.policy}, checked every ${governor.check_interval_secs} s`;
  const where = `Control Center on ${facts.url}/`;
  if (facts.dryRunFlag) return { acting: false, message: `${policy}; dry run (--dry-run): it decides and records, and changes nothing. ${where}` };
  if (governor.dry_run) return { acting: false, message: `${policy}; dry run (governor.dry_run in ${facts.configPath ?? 'the config'}): it decides and records, and changes nothing. ${where}` };
  if (!governor.enabled) return { acting: false, message: `${policy}; the governor is disabled (governor.enabled = false): it watches and decides nothing. ${where}` };
  if (!facts.isRoot) return { acting: false, message: `${policy}; not root, so every reclaim it decides will fail: run it as root to act, or with --dry-run to watch. ${where}` };
  return { acting: true, message: `${policy}; it acts: it reclaims memory when the policy says so. To watch without changing anything, start it with --dry-run. ${where}` };
}
