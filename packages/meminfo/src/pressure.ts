import { MeminfoParseError } from './errors.js';
import type { Pressure, PressureLine } from './types.js';

const LINE = /^(some|full) avg10=(\d+(?:\.\d+)?) avg60=(\d+(?:\.\d+)?) avg300=(\d+(?:\.\d+)?) total=(\d+)[ \t]*$/;

/**
 * Parses PSI text (`/proc/pressure/memory`, a cgroup's `memory.pressure`): the `some` line is
 * required, `full` is `null` where the kernel does not report it.
 */
export function parsePressure(text: string, source = '/proc/pressure/memory'): Pressure {
  if (typeof text !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof text}`, { source });
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match) {
      throw new MeminfoParseError(
        `${source} line ${index + 1}: expected "some|full avg10=N avg60=N avg300=N total=N", got ${JSON.stringify(line.slice(0, 80))}`,
        { source, line: index + 1 },
      );
    }
    const kind = match[1] as 'some' | 'full';
    if ((kind === 'some' ? some : full) !== null) {
      throw new MeminfoParseError(`${source} line ${index + 1}: "${kind}" appears twice`, { source, line: index + 1, field: kind });
    }
    const totalUs = Number(match[5]);
    if (!Number.isSafeInteger(totalUs)) {
      throw new MeminfoParseError(`${source} line ${index + 1}: total=${match[5]} is too large to hold exactly`, { source, line: index + 1, field: kind });
    }
    const parsed: PressureLine = { avg10: Number(match[2]), avg60: Number(match[3]), avg300: Number(match[4]), totalUs };
    if (kind === 'some') some = parsed;
    else full = parsed;
  }
  if (some === null) throw new MeminfoParseError(`${source}: the "some" line is missing`, { source, field: 'some' });
  return { some, full };
}
