import { LOG_FORMATS as CONFIG_LOG_FORMATS, type LogFormat } from '@gov/policies';

/** What `--log-format` and `daemon.log_format` take. */
export const LOG_FORMATS = CONFIG_LOG_FORMATS;
export type LogFormatChoice = LogFormat;

/** The format govd writes: the flag over the config; `auto` is pretty on a terminal, JSON otherwise. */
export function chooseLogFormat(flag: LogFormat | null, config: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  const chosen = flag ?? config;
  return chosen === 'auto' ? (isTTY ? 'pretty' : 'json') : chosen;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Record<string, number> = { TRACE: 2, DEBUG: 2, INFO: 32, WARN: 33, ERROR: 31, FATAL: 31 };
/** Fields every line has, shown in their own place (or not at all: pid and name say nothing on a terminal). */
const OWN_PLACE = new Set(['level', 'time', 'msg', 'pid', 'name', 'hostname']);

const two = (value: number) => String(value).padStart(2, '0');

function clockTime(iso: unknown): string {
  const date = new Date(typeof iso === 'string' || typeof iso === 'number' ? iso : Number.NaN);
  if (Number.isNaN(date.getTime())) return '--:--:--.---';
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function fieldValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return JSON.stringify((value as { message: string }).message);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * One log record as a line to read: local time, level, message, then `key=value` for every other
 * field (errors by their message). Colour only when asked.
 */
export function formatPrettyLine(record: Record<string, unknown>, colour: boolean): string {
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = LEVELS[Number(record['level'])] ?? 'LOG';
  const fields = Object.entries(record)
    .filter(([key, value]) => !OWN_PLACE.has(key) && value !== undefined)
    .map(([key, value]) => `${paint(2, `${key}=`)}${fieldValue(value)}`);
  const message = typeof record['msg'] === 'string' ? record['msg'] : '';
  return `${paint(2, clockTime(record['time']))} ${paint(LEVEL_COLOURS[level] ?? 0, level.padEnd(5))} ${message}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}\n`;
}

/**
 * A pino destination that writes each JSON record as a pretty line through `write` (synchronous
 * writes, so nothing is lost when govd exits on a signal). A chunk that is not JSON passes as it is.
 */
export function createPrettyDestination(write: (text: string) => void, colour: boolean): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          write(`${line}\n`);
          continue;
        }
        write(record !== null && typeof record === 'object' ? formatPrettyLine(record as Record<string, unknown>, colour) : `${line}\n`);
      }
    },
  };
}
