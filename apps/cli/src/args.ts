import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` in strict mode, with its errors turned into a `UsageError` carrying the usage line. */
export function parseCommandArgs<const O extends Options>(argv: string[], options: O, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as O & { json: { type: 'boolean' }; help: { type: 'boolean'; short: 'h' } }, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), usage);
  }
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?$/i;
const SIZE_FACTORS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a size such as `512M`, `1.5GiB` or `1048576` into bytes. Binary units throughout:
 * `K`, `KB` and `KiB` all mean 1024, as `free` and the kernel use them.
 */
export function parseSize(text: string, flag: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: "${text}" is not a size; use plain bytes or a number with K, M, G (or KiB, MiB, GiB), e.g. 512M`);
  const unit = (match[2] ?? 'b').toLowerCase()[0] as string;
  const bytes = Number(match[1]) * (SIZE_FACTORS[unit] as number);
  if (!Number.isSafeInteger(Math.round(bytes))) throw new UsageError(`${flag}: "${text}" is too large`);
  return Math.round(bytes);
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const DURATION_FACTORS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `90s`, `30m`, `2h` into milliseconds; a bare number is minutes. */
export function parseDuration(text: string, flag: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: "${text}" is not a duration; use a number with ms, s, m, h or d, e.g. 30m or 90s`);
  return Math.round(Number(match[1]) * (DURATION_FACTORS[match[2] ?? 'm'] as number));
}

/** Parses a positive integer flag such as `--limit 20`. */
export function parsePositiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag}: "${text}" is not a whole number of at least 1`);
  return Number(text);
}
