import type { GovConfig } from '@gov/policies';

/**
 * The config keys that differ between two configs and only take effect when govd restarts
 * (what `PUT /api/config` answers in `restartRequired`, and a reload logs). The rest applies
 * from the next tick.
 */
export function restartRequiredKeys(before: GovConfig, after: GovConfig): string[] {
  const keys: string[] = [];
  if (before.daemon.listen !== after.daemon.listen) keys.push('daemon.listen');
  if (before.daemon.state_dir !== after.daemon.state_dir) keys.push('daemon.state_dir');
  if (before.daemon.log_format !== after.daemon.log_format) keys.push('daemon.log_format');
  if (before.docker.idle_cpu_percent !== after.docker.idle_cpu_percent) keys.push('docker.idle_cpu_percent');
  for (const key of ['idle_cpu_percent', 'pod_logs_dir'] as const) {
    if (before.kubernetes[key] !== after.kubernetes[key]) keys.push(`kubernetes.${key}`);
  }
  for (const key of ['enabled', 'min_samples', 'may_raise'] as const) {
    if (before.governor.learning[key] !== after.governor.learning[key]) keys.push(`governor.learning.${key}`);
  }
  return keys;
}
