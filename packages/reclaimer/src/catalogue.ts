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
