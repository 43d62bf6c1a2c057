import { compareNames } from './compare-names.js';

/** What the guards look at of a container. */
export interface GuardedContainer {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
  compose: { project: string; service: string } | null;
  /** Compose services this container depends on (`com.docker.compose.depends_on`). */
  dependsOn: string[];
  /** Networks it is attached to, with the aliases it can be reached by there. */
  networks: { name: string; aliases: string[] }[];
  /** Bytes it holds; the guards pause the biggest first when `maxPauses` cuts the list. */
  memoryBytes: number;
}

/** Why a container is not paused; the first guard that applies is reported. */
export type PauseGuard = 'not-running' | 'not-idle' | 'label' | 'deny' | 'allow' | 'dependency' | 'max-pauses';

export interface GuardOptions {
  /** Name globs (`*`, `?`): when not empty, only matching containers may be paused. */
  allow: readonly string[];
  /** Name globs that are never paused; wins over `allow`. */
  deny: readonly string[];
  /** Pause at most this many. */
  maxPauses: number;
}

export interface GuardPlan<C extends GuardedContainer> {
  /** Containers to pause, biggest first. */
  pause: C[];
  skipped: { container: C; guard: PauseGuard; reason: string }[];
}

/** The label that keeps a container running whatever its idleness. */
export const NEVER_PAUSE_LABEL = 'gov.pause';

/**
 * Whether `name` matches a glob: `*` is any run of characters, `?` one character, everything
 * else is itself. The whole name must match.
 */
export function matchesGlob(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p += 1;
      n += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p;
      starN = n;
      p += 1;
    } else if (starP >= 0) {
      p = starP + 1;
      starN += 1;
      n = starN;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/** Parses compose's `com.docker.compose.depends_on` label: `db:service_started:false,cache:service_healthy:true`. */
export function parseComposeDependsOn(label: string | undefined): string[] {
  if (label === undefined) return [];
  return label
    .split(',')
    .map((entry) => entry.split(':')[0]?.trim() ?? '')
    .filter((service) => service !== '');
}

function dependencyReason<C extends GuardedContainer>(candidate: C, busy: readonly C[]): string | null {
  for (const other of busy) {
    if (other.id === candidate.id) continue;
    if (candidate.compose && other.compose && other.compose.project === candidate.compose.project && other.dependsOn.includes(candidate.compose.service)) {
      return `running container ${other.name} depends on its compose service "${candidate.compose.service}"`;
    }
  }
  for (const network of candidate.networks) {
    if (network.aliases.length === 0) continue;
    const user = busy.find((other) => other.id !== candidate.id && other.networks.some((n) => n.name === network.name));
    if (user) return `its network alias "${network.aliases[0]}" on network ${network.name} is reachable by running container ${user.name}`;
  }
  return null;
}

/**
 * The guards the user sets, which no pause passes, whether gov chose the container or a person
 * named it: the `gov.pause=never` label, then the deny list, then the allow list. `null` when
 * none holds.
 */
export function userGuard(container: Pick<GuardedContainer, 'name' | 'labels'>, options: Pick<GuardOptions, 'allow' | 'deny'>): { guard: 'label' | 'deny' | 'allow'; reason: string } | null {
  if (container.labels[NEVER_PAUSE_LABEL]?.trim().toLowerCase() === 'never') return { guard: 'label', reason: `it is labelled ${NEVER_PAUSE_LABEL}=never` };
  const denied = options.deny.find((pattern) => matchesGlob(pattern, container.name));
  if (denied !== undefined) return { guard: 'deny', reason: `its name matches the deny pattern "${denied}"` };
  if (options.allow.length > 0 && !options.allow.some((pattern) => matchesGlob(pattern, container.name))) {
    return { guard: 'allow', reason: `its name matches no allow pattern (${options.allow.map((p) => `"${p}"`).join(', ')})` };
  }
  return null;
}

/**
 * Decides which idle containers to pause. Guards apply in this order and the first that holds is
 * the reason: not running, not idle, the `gov.pause=never` label, the deny list, the allow list,
 * a running non-idle container that depends on it (compose `depends_on`, or a network alias on
 * a network that container is on), and last the `maxPauses` cap, which keeps the biggest.
 */
export function planPauses<C extends GuardedContainer>(containers: readonly C[], isIdle: (container: C) => boolean, options: GuardOptions): GuardPlan<C> {
  const skipped: GuardPlan<C>['skipped'] = [];
  const busy = containers.filter((container) => container.state === 'running' && !isIdle(container));
  const eligible: C[] = [];
  for (const container of containers) {
    if (container.state !== 'running') {
      skipped.push({ container, guard: 'not-running', reason: `it is ${container.state}` });
      continue;
    }
    if (!isIdle(container)) {
      skipped.push({ container, guard: 'not-idle', reason: 'it was not idle for the whole window' });
      continue;
    }
    const refused = userGuard(container, options);
    if (refused !== null) {
      skipped.push({ container, ...refused });
      continue;
    }
    const dependency = dependencyReason(container, busy);
    if (dependency !== null) {
      skipped.push({ container, guard: 'dependency', reason: dependency });
      continue;
    }
    eligible.push(container);
  }
  const ordered = [...eligible].sort((a, b) => b.memoryBytes - a.memoryBytes || compareNames(a.name, b.name));
  const pause = ordered.slice(0, options.maxPauses);
  for (const container of ordered.slice(options.maxPauses)) {
    skipped.push({ container, guard: 'max-pauses', reason: `only ${options.maxPauses} pause(s) per run (max_pauses_per_tick); bigger idle containers went first` });
  }
  return { pause, skipped };
}
