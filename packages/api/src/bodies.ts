import { normaliseReclaimMethod, RECLAIM_METHOD_NAMES, type ReclaimMethod } from '@gov/reclaimer/catalogue';
import { z } from 'zod';
import { ApiError } from './errors.js';

/** The longest note `POST /api/feedback` takes. */
export const FEEDBACK_NOTE_MAX_CHARS = 2000;

/**
 * `POST /api/reclaim`: every field optional, `method` defaults to `full` and may be a short name
 * (`compact`, `cgroup`), read as the method it stands for; the reclaimer validates the rest.
 */
export const reclaimBodySchema = z.strictObject({
  method: z
    .enum(RECLAIM_METHOD_NAMES)
    .transform((name) => normaliseReclaimMethod(name) as ReclaimMethod)
    .default('full'),
  level: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  sync: z.boolean().optional(),
  targetBytes: z.number().int().positive().optional(),
  cgroup: z.string().max(4096).optional(),
  compact: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

/** `POST /api/feedback`: how the machine felt after govd's recent actions. */
export const feedbackBodySchema = z.strictObject({
  kind: z.enum(['slow', 'ok']),
  note: z.string().max(FEEDBACK_NOTE_MAX_CHARS).nullable().optional(),
});

/** `POST /api/containers/pause` and `/unpause`: one container by name or id; a pause can be a dry run. */
export const containerBodySchema = z.strictObject({
  name: z.string().min(1).max(256),
  dryRun: z.boolean().optional(),
});

/** What a client sends to `POST /api/reclaim`. */
export type ReclaimBody = z.input<typeof reclaimBodySchema>;
/** What a client sends to `POST /api/feedback`. */
export type FeedbackBody = z.input<typeof feedbackBodySchema>;
/** What a client sends to `POST /api/containers/pause` and `/unpause`. */
export type ContainerBody = z.input<typeof containerBodySchema>;

/** Checks a request's JSON against its route's schema; a 400 `GOV_HTTP_INVALID_BODY` lists every problem. */
export function parseRequestBody<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new ApiError(400, 'GOV_HTTP_INVALID_BODY', `invalid request body: ${problems.map((problem) => `${problem.path || '(body)'}: ${problem.message}`).join('; ')}`, problems);
}
