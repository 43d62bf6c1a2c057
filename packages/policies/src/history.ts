import { z } from 'zod';

const policy = z.enum(['dynamic', 'aggressive', 'conservative', 'scheduled', 'emergency']);
/** When it happened: an ISO 8601 date and time (govd writes `toISOString()`). */
const at = z.iso.datetime({ offset: true });
const bytes = z.number().nonnegative();
const codedError = z.object({ code: z.string(), message: z.string() });

const advice = z.object({
  verdict: z.enum(['allow', 'veto', 'shrink', 'raise']),
  reason: z.string(),
  /** For `shrink` and `raise`: the target the advisor asked for. */
  targetBytes: bytes.nullable(),
});

const step = z.object({ name: z.string(), status: z.enum(['ok', 'skipped', 'failed']), durationMs: z.number(), error: codedError.optional() });

const reclaimRecord = z.object({
  kind: z.literal('reclaim'),
  at,
  policy,
  code: z.string(),
  reason: z.string(),
  /** The method that ran (after any fallback). */
  method: z.string(),
  targetBytes: bytes.nullable(),
  freedBytes: bytes,
  /** What `freedBytes` measures: the target cgroup's usage, or the machine's MemFree. Absent in older records: `machine`. */
  freedMeasure: z.enum(['cgroup', 'machine']).optional(),
  durationMs: z.number().nonnegative(),
  dryRun: z.boolean(),
  steps: z.array(step),
  advice: advice.nullable(),
  fallback: z.object({ from: z.string(), to: z.string(), reason: z.string() }).optional(),
});

const pauseRecord = z.object({
  kind: z.literal('pause-idle-containers'),
  at,
  policy,
  code: z.string(),
  reason: z.string(),
  /** Containers paused (or, in a dry run, that would have been). */
  paused: z.array(z.string()),
  freedBytes: bytes,
  durationMs: z.number().nonnegative(),
  dryRun: z.boolean(),
});

const podReclaimRecord = z.object({
  kind: z.literal('reclaim-idle-pods'),
  at,
  policy,
  code: z.string(),
  reason: z.string(),
  /** Pods (`namespace/name`) whose page cache was reclaimed (or, in a dry run, would have been). */
  reclaimed: z.array(z.string()),
  freedBytes: bytes,
  durationMs: z.number().nonnegative(),
  dryRun: z.boolean(),
});

const vetoRecord = z.object({
  kind: z.literal('veto'),
  at,
  policy,
  code: z.string(),
  reason: z.string(),
  method: z.string(),
  targetBytes: bytes.nullable(),
  advice,
});

const errorRecord = z.object({
  kind: z.literal('error'),
  at,
  stage: z.enum(['snapshot', 'decide', 'advise', 'act', 'history', 'other']),
  code: z.string(),
  message: z.string(),
});

const feedbackRecord = z.object({
  kind: z.literal('feedback'),
  at,
  feedback: z.enum(['slow', 'ok']),
  note: z.string().nullable(),
});

const eventRecord = z.object({
  kind: z.literal('event'),
  at,
  /** e.g. `started`, `stopped`, `config-reloaded`, `config-refused`. */
  event: z.string().min(1),
  message: z.string(),
});

/** The schema of one history line. */
export const historyRecordSchema = z.discriminatedUnion('kind', [reclaimRecord, pauseRecord, podReclaimRecord, vetoRecord, errorRecord, feedbackRecord, eventRecord]);

/**
 * One line of the history file: an action (`reclaim`, `pause-idle-containers`, `reclaim-idle-pods`, dry runs
 * included), an advisor `veto`, a tick `error`, user `feedback` or a daemon `event`.
 */
export type HistoryRecord = z.infer<typeof historyRecordSchema>;
export type HistoryAdvice = z.infer<typeof advice>;
export type HistoryStep = z.infer<typeof step>;
export type ErrorStage = z.infer<typeof errorRecord>['stage'];

/** One record as one JSON Lines line, newline included. JSON never contains a raw newline. */
export function formatHistoryLine(record: HistoryRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * Reads a history file's text. A line that is not JSON or not a record (a torn last line after
 * a crash, a garbled line) is counted in `skipped`, never thrown; the others are returned in order.
 */
export function parseHistory(text: string): { records: HistoryRecord[]; skipped: number } {
  const records: HistoryRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = parseHistoryLine(line);
    if (record) records.push(record);
    else skipped += 1;
  }
  return { records, skipped };
}

/** One line of a history file as a record, or `null` when it is not JSON or not a record. */
export function parseHistoryLine(line: string): HistoryRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = historyRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
