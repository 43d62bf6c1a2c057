import { MeminfoParseError } from './errors.js';

const LINE = /^(\S+)[ \t]+(-?\d+)[ \t]*$/;

/**
 * Parses `name value` lines (`/proc/vmstat`, cgroup `memory.stat`). Values beyond 2^53 are kept
 * as the nearest number: cgroup v1 reports "no limit" as 9223372036854771712.
 */
export function parseKeyValueLines(text: string, source: string): Record<string, number> {
  if (typeof text !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof text}`, { source });
  const entries: [string, number][] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match) {
      throw new MeminfoParseError(`${source} line ${index + 1}: expected "name <integer>", got ${JSON.stringify(line.slice(0, 80))}`, {
        source,
        line: index + 1,
      });
    }
    entries.push([match[1] as string, Number(match[2])]);
  }
  // fromEntries defines own properties, so a key such as `__proto__` stays plain data.
  return Object.fromEntries(entries);
}
