import { MeminfoParseError } from './errors.js';
import type { CpuTimes } from './types.js';

const SOURCE = '/proc/stat';
const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/**
 * Reads the all-CPU line of `/proc/stat` (`cpu  user nice system idle iowait irq softirq steal
 * guest guest_nice`, in USER_HZ ticks since boot). `busy` is everything but `idle` and
 * `iowait`; `guest`/`guest_nice` are already inside `user`/`nice`, so they are not added again.
 * Kernels before 2.6.11 lack `steal` (and before 2.6 `iowait`…); a missing trailing field is 0.
 * Only the change between two readings means anything: busy share = Δbusy / Δtotal.
 */
export function parseCpuTimes(text: string): CpuTimes {
  if (typeof text !== 'string') throw new MeminfoParseError(`${SOURCE}: expected text, got ${typeof text}`, { source: SOURCE });
  const end = text.indexOf('\n');
  const line = (end === -1 ? text : text.slice(0, end)).replace(/\r$/, '');
  const parts = line.trim().split(/\s+/);
  if (parts[0] !== 'cpu') throw new MeminfoParseError(`${SOURCE} line 1: expected the all-CPU line "cpu  user nice system idle …", got ${JSON.stringify(line.slice(0, 80))}`, { source: SOURCE, line: 1 });
  const values = parts.slice(1, 1 + FIELDS.length);
  if (values.length < 4) throw new MeminfoParseError(`${SOURCE} line 1: expected at least user, nice, system and idle, got ${values.length} value(s)`, { source: SOURCE, line: 1 });
  let total = 0;
  let idle = 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = Number(values[i]);
    const field = FIELDS[i] as (typeof FIELDS)[number];
    if (!/^\d+$/.test(values[i] as string) || !Number.isSafeInteger(value)) {
      throw new MeminfoParseError(`${SOURCE} line 1: ${field} is ${JSON.stringify(values[i])}, expected a whole number of ticks`, { source: SOURCE, line: 1, field });
    }
    total += value;
    if (field === 'idle' || field === 'iowait') idle += value;
  }
  return { busy: total - idle, total };
}
