import { describeValue } from './errors.js';
import type { BufferLimits, BufferSpec, BufferStoreOptions } from './types.js';

/** The longest period a host timer takes: `setInterval` runs anything longer every 1 ms instead. */
export const MAX_INTERVAL_MS = 2 ** 31 - 1;

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function validateSpec(name: string, raw: unknown, criticalBytes: number | undefined): string[] {
  if (!isObject(raw)) return [`buffers.${name}: ${describeValue(raw)} is not a buffer spec ({ capacity, priority, sizeOf? | fixedBytes? })`];
  const spec = raw as Partial<BufferSpec<unknown>>;
  const problems: string[] = [];
  if (!isPositiveInteger(spec.capacity)) problems.push(`buffers.${name}.capacity: ${describeValue(spec.capacity)} is not a positive integer`);
  if (typeof spec.priority !== 'number' || !Number.isFinite(spec.priority)) {
    problems.push(`buffers.${name}.priority: ${describeValue(spec.priority)} is not a finite number`);
  }
  if (spec.sizeOf !== undefined && typeof spec.sizeOf !== 'function') {
    problems.push(`buffers.${name}.sizeOf: ${describeValue(spec.sizeOf)} is not a function`);
  }
  const fixed = spec.fixedBytes;
  if (fixed !== undefined && (spec.sizeOf !== undefined || spec.overheadBytes !== undefined)) {
    problems.push(`buffers.${name}: give sizeOf (with optional overheadBytes) or fixedBytes, not both`);
  } else if (fixed !== undefined && !isNonNegativeInteger(fixed)) {
    problems.push(`buffers.${name}.fixedBytes: ${describeValue(fixed)} is not a non-negative integer`);
  } else if (fixed !== undefined && criticalBytes !== undefined && fixed > criticalBytes) {
    problems.push(`buffers.${name}.fixedBytes: ${fixed} is more than limits.criticalBytes (${criticalBytes}), so no entry would fit`);
  }
  const overhead = spec.overheadBytes;
  if (overhead !== undefined && !isNonNegativeInteger(overhead)) {
    problems.push(`buffers.${name}.overheadBytes: ${describeValue(overhead)} is not a non-negative integer`);
  } else if (overhead !== undefined && criticalBytes !== undefined && overhead > criticalBytes) {
    problems.push(`buffers.${name}.overheadBytes: ${overhead} is more than limits.criticalBytes (${criticalBytes}), so no entry would fit`);
  }
  return problems;
}

function validateLimits(raw: unknown): { problems: string[]; criticalBytes: number | undefined } {
  if (!isObject(raw)) return { problems: [`limits: ${describeValue(raw)} is not { softBytes, hardBytes, criticalBytes }`], criticalBytes: undefined };
  const limits = raw as Partial<BufferLimits>;
  const problems: string[] = [];
  for (const key of ['softBytes', 'hardBytes', 'criticalBytes'] as const) {
    if (!isPositiveInteger(limits[key])) problems.push(`limits.${key}: ${describeValue(limits[key])} is not a positive integer`);
  }
  const { softBytes, hardBytes, criticalBytes } = limits;
  if (isPositiveInteger(softBytes) && isPositiveInteger(hardBytes) && isPositiveInteger(criticalBytes) && !(softBytes <= hardBytes && hardBytes <= criticalBytes)) {
    problems.push(`limits: softBytes ≤ hardBytes ≤ criticalBytes is required, got ${softBytes} / ${hardBytes} / ${criticalBytes}`);
  }
  return { problems, criticalBytes: isPositiveInteger(criticalBytes) ? criticalBytes : undefined };
}

/** A timer period as `setInterval` honours it: positive and at most {@link MAX_INTERVAL_MS}. */
export function intervalProblem(key: string, value: unknown): string | null {
  if (!isNonNegativeNumber(value) || value === 0) return `${key}: ${describeValue(value)} is not a positive number`;
  if (value > MAX_INTERVAL_MS) return `${key}: ${value} is more than ${MAX_INTERVAL_MS} (about 24.8 days), the longest period a timer keeps`;
  return null;
}

/** Every problem with the options, in the order a reader meets them; empty when they are usable. */
export function validateOptions(raw: unknown): string[] {
  if (!isObject(raw)) return [`options: ${describeValue(raw)} is not an object with buffers and limits`];
  const options = raw as Partial<BufferStoreOptions<Record<string, unknown>>>;
  const problems: string[] = [];
  const { problems: limitProblems, criticalBytes } = validateLimits(options.limits);
  if (!isObject(options.buffers)) {
    problems.push(`buffers: ${describeValue(options.buffers)} is not an object of buffer specs`);
  } else {
    const names = Object.keys(options.buffers);
    if (names.length === 0) problems.push('buffers: at least one buffer is needed');
    for (const name of names) problems.push(...validateSpec(name, options.buffers[name], criticalBytes));
  }
  problems.push(...limitProblems);
  if (options.cooldownMs !== undefined && !isNonNegativeNumber(options.cooldownMs)) {
    problems.push(`cooldownMs: ${describeValue(options.cooldownMs)} is not a non-negative number`);
  }
  if (options.checkIntervalMs !== undefined) {
    const problem = intervalProblem('checkIntervalMs', options.checkIntervalMs);
    if (problem !== null) problems.push(problem);
  }
  for (const port of ['now', 'setInterval', 'clearInterval'] as const) {
    if (options[port] !== undefined && typeof options[port] !== 'function') problems.push(`${port}: ${describeValue(options[port])} is not a function`);
  }
  return problems;
}
