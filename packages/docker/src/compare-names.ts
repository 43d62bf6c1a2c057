/**
 * Orders container names by their UTF-16 code units: the same order on every machine and in
 * every locale, and no ICU collation data loaded into a daemon that sorts a handful of names
 * per tick (`localeCompare` maps about 3 MB of it into memory on first use).
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
