// `@gov/reclaimer/catalogue`: the facts of the reclaim catalogue, written once. No IO here, so
// pure code (the policies) can import them without pulling in an executor.

/** The catalogue, in the order the docs list it: nothing else can be run. */
export const RECLAIM_METHODS = ['drop_caches', 'compact_memory', 'cgroup_reclaim', 'full'] as const;

/** One method of the catalogue. */
export type ReclaimMethod = (typeof RECLAIM_METHODS)[number];

/** Smallest byte count a targeted reclaim accepts: 1 MiB. */
export const MIN_TARGET_BYTES = 1024 ** 2;

/** Largest byte count a targeted reclaim accepts: 64 GiB. */
export const MAX_TARGET_BYTES = 64 * 1024 ** 3;

/**
 * Short names a user may type for a method, where a user types one (`gov reclaim --method`, the
 * body of `POST /api/reclaim`). They are read as the method they stand for: results, history and
 * metrics always carry the catalogue's own name.
 */
export const RECLAIM_METHOD_ALIASES = { compact: 'compact_memory', cgroup: 'cgroup_reclaim' } as const satisfies Record<string, ReclaimMethod>;

/** A short name of `RECLAIM_METHOD_ALIASES`. */
export type ReclaimMethodAlias = keyof typeof RECLAIM_METHOD_ALIASES;

/** Every name a user may type: the catalogue's names, then the short ones. */
export const RECLAIM_METHOD_NAMES = [...RECLAIM_METHODS, ...(Object.keys(RECLAIM_METHOD_ALIASES) as ReclaimMethodAlias[])] as const;

/** The method `name` stands for (a catalogue name or a short one); `null` for anything else. */
export function normaliseReclaimMethod(name: string): ReclaimMethod | null {
  if ((RECLAIM_METHODS as readonly string[]).includes(name)) return name as ReclaimMethod;
  return Object.hasOwn(RECLAIM_METHOD_ALIASES, name) ? RECLAIM_METHOD_ALIASES[name as ReclaimMethodAlias] : null;
}
