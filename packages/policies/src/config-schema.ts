import { MAX_TARGET_BYTES } from '@gov/reclaimer/catalogue';
import { z } from 'zod';

/** The interval-based and time-based policies a config can choose. */
export const POLICY_NAMES = ['dynamic', 'aggressive', 'conservative', 'scheduled'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

const percent = (fallback: number, description: string) => z.number().min(0).max(100).default(fallback).describe(description);
const int = (min: number, max: number, fallback: number, description: string) => z.number().int().min(min).max(max).default(fallback).describe(description);

const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
// host:port with an IPv4 address, a bracketed IPv6 address or a host name; port 1–65535.
const LISTEN = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})$/;

/**
 * Why a `daemon.state_dir` cannot be used, or `null`: it must be absolute (POSIX `/…`, or a
 * Windows drive or UNC path for govd on Windows) or start with `~` (the home directory). A
 * relative path would resolve against whatever directory govd was started in; a NUL byte
 * cannot reach the file system at all.
 */
export function stateDirProblem(dir: string): string | null {
  if (dir.includes('\0')) return 'contains a NUL byte; a path cannot';
  if (dir === '~' || dir.startsWith('~/') || dir.startsWith('~\\')) return null;
  if (dir.startsWith('/') || /^[A-Za-z]:[\\/]/.test(dir) || dir.startsWith('\\\\')) return null;
  return 'is not an absolute path; write it from the root (/var/lib/gov) or the home directory (~/.local/state/gov)';
}

const dynamicSchema = z.strictObject({
  host_target_available_percent: percent(25, 'Keep at least this share of host memory available; below it the dynamic policy reclaims. Also read as `windows_target_available_percent`, its name in the original design.'),
  min_waste_mb: int(0, 1_048_576, 500, 'Reclaim only when the memory Linux holds for nothing (waste) is above this many MiB.'),
  reclaim_interval_secs: int(1, 86_400, 60, 'At most one dynamic reclaim per this many seconds (doubled while backing off).'),
});

const aggressiveSchema = z.strictObject({
  host_pressure_threshold_percent: percent(80, 'Reclaim when host memory used reaches this percentage. Also read as `windows_pressure_threshold`, its name in the original design.'),
  target_reclaim_mb: int(1, MAX_TARGET_BYTES / 1024 ** 2, 1024, 'How many MiB each aggressive reclaim asks the kernel to give back.'),
  reclaim_interval_secs: int(1, 86_400, 60, 'At most one aggressive reclaim per this many seconds (doubled while backing off).'),
});

const conservativeSchema = z.strictObject({
  host_critical_threshold_percent: percent(90, 'Act only when host memory used reaches this percentage. Also read as `windows_critical_threshold`, its name in the original design.'),
  reclaim_interval_secs: int(1, 86_400, 60, 'At most one conservative reclaim per this many seconds (doubled while backing off).'),
});

const scheduledSchema = z.strictObject({
  compact_times: z
    .array(z.string().regex(HH_MM, 'a local time as HH:MM, 00:00–23:59'))
    .max(1440)
    .default(['03:00', '12:00'])
    .describe('Local times (HH:MM) at which the scheduled policy runs a full reclaim, once in each listed minute.')
    .meta({ 'x-allowed': 'array of local times "HH:MM" (00:00–23:59), at most 1440' }),
});

const learningSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Whether govd runs the learned advisor on dynamic-policy reclaims (read at start).'),
  min_samples: int(0, 1_000_000, 20, 'Outcomes the advisor measures before it advises; until then the dynamic policy decides alone (read at start).'),
  may_raise: z.boolean().default(true).describe('Whether the advisor may raise a dynamic target: when it expects a larger reclaim to keep more free without harm, or, when the proposed reclaim is clearly safe, to try one up to twice the largest it has measured harmless; the safety floor still applies (read at start).'),
});

const governorSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Whether the governor acts at all; when false every tick decides nothing.'),
  policy: z.enum(POLICY_NAMES).default('dynamic').describe('Which policy decides when to reclaim: dynamic, aggressive, conservative or scheduled.'),
  check_interval_secs: int(1, 86_400, 30, 'Seconds between two ticks (sense, decide, act).'),
  dry_run: z.boolean().default(false).describe('Decide and record, but change nothing.'),
  linux_min_mb: int(0, 4_194_304, 2048, 'Safety floor for every policy: never reclaim so that the memory Linux holds would fall below this many MiB.'),
  linux_max_mb: int(1, 4_194_304, 16_384, 'The dynamic policy reclaims when the memory Linux holds is above this many MiB.'),
  emergency_threshold_percent: percent(5, 'Host memory available below this percentage triggers an emergency full reclaim, whatever the policy, cooldown or memory stall.'),
  psi_some_avg10_max: percent(10, 'No reclaim (except emergency) while the memory stall `/proc/pressure/memory` some avg10 is above this; reclaiming under stall makes it worse.'),
  refault_storm_pages_per_sec: int(1, 100_000_000, 2000, 'Refaults (workingset_refault_file + workingset_refault_anon, in pages per second between two ticks) at or above this count as a refault storm; one within 5 minutes of an action doubles the policy interval.'),
  dynamic: dynamicSchema.prefault({}).describe('The dynamic policy: balance host availability against the memory Linux holds for nothing.'),
  learning: learningSchema.prefault({}).describe('The learned advisor (`@gov/neural`): when it vetoes, shrinks or raises a dynamic-policy reclaim. Never consulted on emergencies or the safety floor.'),
  aggressive: aggressiveSchema.prefault({}).describe('The aggressive policy: reclaim a fixed amount whenever the host is under pressure.'),
  conservative: conservativeSchema.prefault({}).describe('The conservative policy: act only when the host is critically low.'),
  scheduled: scheduledSchema.prefault({}).describe('The scheduled policy: a full reclaim at fixed local times.'),
});

const dockerSchema = z.strictObject({
  auto_pause_idle_containers: z.boolean().default(false).describe('Pause idle containers (and reclaim their memory) while the host stays under pressure after a reclaim.'),
  idle_container_threshold_minutes: int(1, 525_600, 30, 'A container is idle after this many minutes under `idle_cpu_percent`.'),
  idle_cpu_percent: percent(1, 'CPU use (percent of one core) under which a container counts as idle.'),
  allow: z.array(z.string().min(1)).max(1000).default([]).describe('Only containers whose name matches one of these globs (`*`, `?`) may be paused; empty allows all.'),
  deny: z.array(z.string().min(1)).max(1000).default([]).describe('Containers whose name matches one of these globs are never paused (as is any labelled `gov.pause=never`).'),
  max_pauses_per_tick: int(1, 1000, 3, 'Pause at most this many containers in one tick.'),
});

const kubernetesSchema = z.strictObject({
  reclaim_idle_pods: z
    .boolean()
    .default(false)
    .describe('On a Kubernetes node: reclaim the page cache of idle pods\' cgroups while the host stays under pressure after a reclaim. Pods are never paused (the kubelet owns them).'),
  idle_pod_minutes: int(1, 525_600, 30, 'A pod is idle after this many minutes under `idle_cpu_percent`.'),
  idle_cpu_percent: percent(1, 'CPU use (percent of one core) under which a pod counts as idle (read at start).'),
  exclude: z
    .array(z.string().min(1))
    .max(1000)
    .default(['kube-system'])
    .describe('Pods whose page cache is never reclaimed: a namespace (`kube-system`, every pod in it) or `namespace/pod`, each part a glob (`*`, `?`), e.g. `monitoring/prometheus-*`. A pod the kubelet\'s log directory does not name is never reclaimed either.'),
  max_pods_per_tick: int(1, 1000, 3, 'Reclaim the page cache of at most this many pods in one tick, the most cache first.'),
  pod_logs_dir: z
    .string()
    .min(1)
    .default('/var/log/pods')
    .describe('Where the kubelet keeps one directory per pod, named `<namespace>_<name>_<uid>`: how govd learns a pod\'s name and namespace without the API server (read at start).'),
});

/** How govd writes its log: `auto` is pretty lines on a terminal and JSON Lines otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const daemonSchema = z.strictObject({
  listen: z.string().regex(LISTEN, 'host:port, e.g. 127.0.0.1:7878').default('127.0.0.1:7878').describe('Address of govd\'s HTTP API (loopback by default).').meta({ 'x-allowed': 'string "host:port"; host is a name, an IPv4 address or a bracketed IPv6 address; port 1–65535' }),
  state_dir: z
    .string()
    .min(1)
    .superRefine((dir, ctx) => {
      const problem = dir === '' ? null : stateDirProblem(dir);
      if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(dir)} ${problem}` });
    })
    .default('~/.local/state/gov')
    .describe('Where govd keeps history, token and learned weights; `~` is the home directory.')
    .meta({ 'x-allowed': 'string: an absolute path, or `~`/`~/…` for the home directory; no NUL' }),
  history_max_mb: int(1, 65_536, 16, 'Rotate the history file when it reaches this many MiB.'),
  log_format: z.enum(LOG_FORMATS).default('auto').describe('How govd writes its log: `pretty` lines to read, `json` (one object a line, for journald and log shippers), or `auto`: pretty on a terminal, JSON otherwise. `govd --log-format` overrides it (read at start).'),
});

/** The gov config: the single source of truth for the TOML file, its defaults, docs and JSON Schema. */
export const configSchema = z
  .strictObject({
    governor: governorSchema.prefault({}).describe('How and when the governor reclaims. Also read as `[wsl_governor]`, its name in the original design.'),
    docker: dockerSchema.prefault({}).describe('Idle containers: detection and automatic pausing.'),
    kubernetes: kubernetesSchema.prefault({}).describe('Pods on a Kubernetes node (govd as a DaemonSet): per-pod memory, and the reclaim of idle pods\' page cache.'),
    daemon: daemonSchema.prefault({}).describe('The govd daemon: HTTP API and state.'),
  })
  .superRefine((config, ctx) => {
    if (config.governor.linux_min_mb > config.governor.linux_max_mb) {
      ctx.addIssue({ code: 'custom', path: ['governor', 'linux_min_mb'], message: `${config.governor.linux_min_mb} is above linux_max_mb ${config.governor.linux_max_mb}; the floor must not exceed the ceiling` });
    }
  });

/** A validated config with every default filled in. */
export type GovConfig = z.infer<typeof configSchema>;

/** What a config file may contain: every key optional. */
export type GovConfigInput = z.input<typeof configSchema>;

/** The config used when no file exists. */
export const defaultConfig: GovConfig = configSchema.parse({});
