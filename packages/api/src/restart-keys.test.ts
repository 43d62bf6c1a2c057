import { defaultConfig, parseConfigToml } from '@gov/policies';
import { expect, test } from 'vitest';
import { restartRequiredKeys } from './restart-keys.js';

test('names the keys that wait for a restart, and nothing that applies from the next tick', () => {
  const changed = parseConfigToml('[governor]\npolicy = "aggressive"\ncheck_interval_secs = 5\n[governor.learning]\nmin_samples = 3\nmay_raise = false\n[daemon]\nlisten = "127.0.0.1:9999"\nstate_dir = "/srv/gov"\nlog_format = "json"\n[docker]\nidle_cpu_percent = 5\n[kubernetes]\npod_logs_dir = "/host/var/log/pods"\nexclude = []\n');
  expect(restartRequiredKeys(defaultConfig, changed)).toEqual(['daemon.listen', 'daemon.state_dir', 'daemon.log_format', 'docker.idle_cpu_percent', 'kubernetes.pod_logs_dir', 'governor.learning.min_samples', 'governor.learning.may_raise']);
  expect(restartRequiredKeys(defaultConfig, parseConfigToml('[governor]\npolicy = "scheduled"\n'))).toEqual([]);
});
