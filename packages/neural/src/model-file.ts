import { errnoOf, writeFileAtomic, type AtomicWriteFs } from '@gov/io/portable';
import { z } from 'zod';
import { NeuralModelError, NeuralStoreError } from './errors.js';
import { FEATURE_NAMES, FEATURE_SCHEMA } from './features.js';
import { MAX_REPLAY_STEPS, type LearnerState } from './learner.js';

export const MODEL_FORMAT = 'gov-neural-model';
export const MODEL_VERSION = 3;

/** One measured outcome next to what the model predicted for it, kept for `gov learn status`. */
export interface RecentOutcome {
  actionAt: string;
  predictedKeptBytes: number;
  keptBytes: number;
  predictedHarm: number;
  harm: boolean;
  harmReasons: string[];
}

/** What the model would do right now, on the latest snapshot it saw. */
export interface Preference {
  at: string;
  action: 'reclaim' | 'wait';
  /** Target it would pick (null when it prefers to wait). */
  targetBytes: number | null;
  predictedKeptBytes: number;
  harmProbability: number;
  summary: string;
}

export interface LastAdvice {
  at: string;
  verdict: 'allow' | 'veto' | 'shrink' | 'raise';
  reason: string;
  targetBytes: number | null;
}

/**
 * How large a reclaim has been tried, as a share of RAM: what bounds the advisor's exploratory
 * raises (it doubles from what proved harmless and bisects back after harm).
 */
export interface ReclaimBounds {
  /** The largest share of RAM a reclaim freed with no harm following; 0 before any. */
  largestHarmless: number;
  /** The smallest exploratory raise (share of RAM freed) that harm followed, above `largestHarmless`; null when none. */
  smallestHarmfulRaise: number | null;
}

/** Counters and recent history the advisor keeps with its weights. */
export interface AdvisorStats {
  outcomes: number;
  harmful: number;
  expired: number;
  verdicts: { allow: number; veto: number; shrink: number; raise: number };
  recent: RecentOutcome[];
  lastAdvice: LastAdvice | null;
  preference: Preference | null;
  bounds: ReclaimBounds;
}

/** The model file: versioned JSON, self-describing enough to refuse a file from another schema. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  featureSchema: { id: string; version: number; names: string[] };
  createdAt: string;
  updatedAt: string;
  learner: LearnerState;
  stats: AdvisorStats;
}

export function emptyStats(): AdvisorStats {
  return { outcomes: 0, harmful: 0, expired: 0, verdicts: { allow: 0, veto: 0, shrink: 0, raise: 0 }, recent: [], lastAdvice: null, preference: null, bounds: { largestHarmless: 0, smallestHarmfulRaise: null } };
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().nonnegative();

const learnerSchema = z.object({
  seed: z.number().int(),
  learningRate: finite,
  maxGradientNorm: finite,
  samples: count,
  normaliser: z.object({ count, mean: z.array(finite), m2: z.array(finite) }),
  network: z.object({ inputSize: count, hiddenSize: count, w1: z.array(finite), b1: z.array(finite), w2: z.array(finite), b2: z.array(finite) }),
  replay: z.object({
    size: count.max(1024),
    steps: count.max(MAX_REPLAY_STEPS),
    cursor: count,
    examples: z.array(z.object({ features: z.array(finite), keptShare: finite, harm: z.boolean() })),
  }),
});

const statsSchema = z.object({
  outcomes: count,
  harmful: count,
  expired: count,
  verdicts: z.object({ allow: count, veto: count, shrink: count, raise: count }),
  recent: z.array(z.object({ actionAt: z.string(), predictedKeptBytes: finite, keptBytes: finite, predictedHarm: finite, harm: z.boolean(), harmReasons: z.array(z.string()) })),
  lastAdvice: z.object({ at: z.string(), verdict: z.enum(['allow', 'veto', 'shrink', 'raise']), reason: z.string(), targetBytes: finite.nullable() }).nullable(),
  preference: z.object({ at: z.string(), action: z.enum(['reclaim', 'wait']), targetBytes: finite.nullable(), predictedKeptBytes: finite, harmProbability: finite, summary: z.string() }).nullable(),
  bounds: z.object({ largestHarmless: finite.min(0).max(1), smallestHarmfulRaise: finite.min(0).max(1).nullable() }),
});

const modelSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  featureSchema: z.object({ id: z.string(), version: z.number().int(), names: z.array(z.string()) }),
  createdAt: z.string(),
  updatedAt: z.string(),
  learner: learnerSchema,
  stats: statsSchema,
});

/** Serialises a model as two-space JSON with a trailing newline (numbers round-trip exactly). */
export function formatModel(model: ModelFile): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

/**
 * Parses and checks a model file. Throws `NeuralModelError` for garbled JSON, another format or
 * version, another feature schema, or weights that do not fit it.
 */
export function parseModel(text: string): ModelFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NeuralModelError(`model file is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const head = z.object({ format: z.unknown(), version: z.unknown(), featureSchema: z.object({ id: z.unknown(), version: z.unknown(), names: z.unknown() }) }).safeParse(json);
  if (!head.success || head.data.format !== MODEL_FORMAT) throw new NeuralModelError(`not a ${MODEL_FORMAT} file`);
  if (head.data.version !== MODEL_VERSION) throw new NeuralModelError(`model file version ${String(head.data.version)} is not ${MODEL_VERSION}`);
  const schema = head.data.featureSchema;
  const names = Array.isArray(schema.names) ? schema.names : [];
  if (schema.id !== FEATURE_SCHEMA.id || schema.version !== FEATURE_SCHEMA.version || names.length !== FEATURE_NAMES.length || names.some((name, i) => name !== FEATURE_NAMES[i])) {
    throw new NeuralModelError(`model was trained on feature schema ${String(schema.id)} v${String(schema.version)}, this is ${FEATURE_SCHEMA.id} v${FEATURE_SCHEMA.version}`);
  }
  const parsed = modelSchema.safeParse(json);
  if (!parsed.success) throw new NeuralModelError(`model file is invalid: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const model = parsed.data as ModelFile;
  const { network, normaliser, replay } = model.learner;
  const inputs = FEATURE_NAMES.length;
  if (
    network.inputSize !== inputs ||
    network.w1.length !== network.hiddenSize * inputs ||
    network.b1.length !== network.hiddenSize ||
    network.w2.length !== 2 * network.hiddenSize ||
    network.b2.length !== 2 ||
    normaliser.mean.length !== inputs ||
    normaliser.m2.length !== inputs ||
    replay.examples.length > replay.size ||
    replay.examples.some((example) => example.features.length !== inputs)
  ) {
    throw new NeuralModelError('model weights do not fit the feature schema');
  }
  return model;
}

/** Where the model lives. `createFileModelStore` gives one backed by files; tests pass an in-memory one. */
export interface ModelStore {
  /** Where the model is, for people (a file path). */
  readonly location: string;
  /** The file's text, or null when there is none. */
  read(): Promise<string | null>;
  /** Replaces the file atomically: a reader sees the old model or the new one, never half. */
  write(text: string): Promise<void>;
  /** Moves the file to `<location>.rejected-<stamp>` and returns that name. */
  setAside(stamp: string): Promise<string>;
  /** Deletes the file; resolves false when there was none. */
  remove(): Promise<boolean>;
}

export type LoadedModel =
  | { status: 'missing'; model: null }
  | { status: 'loaded'; model: ModelFile }
  | { status: 'set-aside'; model: null; setAsideTo: string; problem: string };

/** A filesystem-safe timestamp: `2026-11-22T01-57-13Z`. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
}

/**
 * Loads the model from a store. A file that cannot be trusted — garbled, another version,
 * another feature schema — is renamed to `*.rejected-<time>` and the caller starts fresh.
 */
export async function loadModel(store: ModelStore, now: Date = new Date()): Promise<LoadedModel> {
  const text = await store.read();
  if (text === null) return { status: 'missing', model: null };
  try {
    return { status: 'loaded', model: parseModel(text) };
  } catch (error) {
    if (!(error instanceof NeuralModelError)) throw error;
    const setAsideTo = await store.setAside(fileStamp(now));
    return { status: 'set-aside', model: null, setAsideTo, problem: error.message };
  }
}

/** The file calls the file store makes: `writeFileAtomic`'s and a read. Pass `node:fs/promises` itself. */
export interface ModelFs extends AtomicWriteFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  /** Lists the model's directory, to remove all but the newest set-aside files; without it none are removed. */
  readdir?(path: string): Promise<string[]>;
}

/** How many set-aside (`*.rejected-<time>`) model files are kept: a model rejected at every start must not fill the disk. */
export const KEPT_REJECTED_MODELS = 3;

const isMissing = (error: unknown) => errnoOf(error) === 'ENOENT';

/**
 * A model store on a file, replaced by `writeFileAtomic` of `@gov/io` (a temporary sibling file,
 * fsync'd, renamed over the model), so a crash leaves the old model or the new one. A model set
 * aside is kept beside it with the newest `KEPT_REJECTED_MODELS - 1` before it; older ones are removed. The file
 * system is injected (`node:fs/promises`), which keeps this package free of IO imports.
 */
export function createFileModelStore(options: { path: string; fs: ModelFs }): ModelStore {
  const { path, fs } = options;
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = cut === -1 ? '.' : cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
  const rejectedPrefix = `${path.slice(cut + 1)}.rejected-`;

  /** Keeps the newest `KEPT_REJECTED_MODELS` set-aside files (their stamps sort by time); best effort. */
  async function removeOldRejected(): Promise<void> {
    if (!fs.readdir) return;
    try {
      const rejected = (await fs.readdir(dir)).filter((name) => name.startsWith(rejectedPrefix)).sort();
      for (const name of rejected.slice(0, Math.max(0, rejected.length - KEPT_REJECTED_MODELS))) await fs.unlink(`${dir}/${name}`).catch(() => undefined);
    } catch {
      // Set-aside files left behind cost disk space, never correctness.
    }
  }

  return {
    location: path,
    async read() {
      try {
        return await fs.readFile(path, 'utf8');
      } catch (error) {
        if (isMissing(error)) return null;
        throw new NeuralStoreError(`cannot read the model ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
    async write(text) {
      try {
        await writeFileAtomic(path, text, { fs, mode: 0o600, dirMode: 0o700 });
      } catch (error) {
        throw new NeuralStoreError(`cannot write the model ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
    async setAside(stamp) {
      const target = `${path}.rejected-${stamp}`;
      try {
        await fs.rename(path, target);
      } catch (error) {
        throw new NeuralStoreError(`cannot set aside the model ${path}: ${(error as Error).message}`, { cause: error });
      }
      await removeOldRejected();
      return target;
    },
    async remove() {
      try {
        await fs.unlink(path);
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw new NeuralStoreError(`cannot remove the model ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/** An in-memory store, for tests and for running the advisor without persistence. */
export function createMemoryModelStore(initial: string | null = null, location = 'memory:model.json'): ModelStore & { readonly files: Map<string, string> } {
  const files = new Map<string, string>();
  if (initial !== null) files.set(location, initial);
  return {
    location,
    files,
    async read() {
      return files.get(location) ?? null;
    },
    async write(text) {
      files.set(location, text);
    },
    async setAside(stamp) {
      const target = `${location}.rejected-${stamp}`;
      const text = files.get(location);
      if (text !== undefined) files.set(target, text);
      files.delete(location);
      return target;
    },
    async remove() {
      return files.delete(location);
    },
  };
}
