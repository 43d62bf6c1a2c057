import { formatBytes, formatDuration } from '@gov/api';
import {
  createLocalExecutor,
  createReclaimer,
  createWslExecutor,
  isReclaimError,
  validateTargetBytes,
  type Reclaimer,
  type ReclaimExecutor,
  type ReclaimMethod,
  type ReclaimRequest,
  type ReclaimResult,
} from '@gov/reclaimer';
import { parseCommandArgs, parseSize } from '../args.js';
import { UsageError } from '../errors.js';
import { createPalette, formatJson, formatTable } from '../format.js';
import type { Command } from '../io.js';

const USAGE = 'gov reclaim [--method drop_caches|compact|cgroup|full] [--level 1|2|3] [--target SIZE] [--cgroup PATH] [--no-sync] [--distro NAME] [--dry-run] [--json]';

const METHODS: Record<string, ReclaimMethod> = {
  drop_caches: 'drop_caches',
  compact: 'compact_memory',
  compact_memory: 'compact_memory',
  cgroup: 'cgroup_reclaim',
  cgroup_reclaim: 'cgroup_reclaim',
  full: 'full',
};

export interface ReclaimCommandOptions {
  /** Builds the reclaimer for one run; tests pass one with a fake executor. */
  createReclaimer?: (executor: ReclaimExecutor) => Reclaimer;
  /** Builds the executor: WSL when `--distro` is given, local otherwise. */
  createExecutor?: (distro: string | undefined) => ReclaimExecutor;
}

/** Turns the flags into a reclaim request; throws `UsageError` for anything it cannot read. */
export function parseReclaimArgs(argv: string[]): { request: ReclaimRequest; json: boolean; distro: string | undefined } {
  const { values } = parseCommandArgs(
    argv,
    {
      method: { type: 'string' },
      level: { type: 'string' },
      target: { type: 'string' },
      cgroup: { type: 'string' },
      'no-sync': { type: 'boolean' },
      distro: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    USAGE,
  );
  const targeted = values.target !== undefined || values.cgroup !== undefined;
  const methodName = values.method ?? (targeted ? 'cgroup' : 'drop_caches');
  const method = Object.hasOwn(METHODS, methodName) ? METHODS[methodName] : undefined;
  if (!method) throw new UsageError(`--method: "${methodName}" is not a reclaim method; use drop_caches, compact, cgroup or full`, USAGE);
  const request: ReclaimRequest = { method };
  if (values.level !== undefined) {
    if (values.level !== '1' && values.level !== '2' && values.level !== '3') throw new UsageError(`--level: "${values.level}" is not 1, 2 or 3`, USAGE);
    if (method !== 'drop_caches' && method !== 'full') throw new UsageError('--level applies to --method drop_caches and full only', USAGE);
    request.level = Number(values.level) as 1 | 2 | 3;
  }
  if (values.target !== undefined) {
    const bytes = parseSize(values.target, '--target');
    try {
      request.targetBytes = validateTargetBytes(bytes);
    } catch {
      throw new UsageError(`--target: "${values.target}" is ${bytes} bytes; a target is from 1 MiB to 64 GiB`, USAGE);
    }
  }
  if (values.cgroup !== undefined) {
    if (method !== 'cgroup_reclaim') throw new UsageError('--cgroup applies to --method cgroup only', USAGE);
    request.cgroup = values.cgroup;
  }
  if (values['no-sync']) request.sync = false;
  if (values['dry-run']) request.dryRun = true;
  return { request, json: values.json === true, distro: values.distro };
}

/** 0 when no step failed; 2 when a step refused its input (a cgroup outside the root); 1 otherwise. */
export function reclaimExitCode(result: ReclaimResult): number {
  const failed = result.steps.filter((step) => step.status === 'failed');
  if (failed.length === 0) return 0;
  return failed.some((step) => /_INVALID_/.test(step.error?.code ?? '')) ? 2 : 1;
}

/** The human report: a line per step, then what was freed and how long it took. */
export function renderReclaim(result: ReclaimResult, palette = createPalette(false, {})): string {
  const colour = { ok: palette.green, skipped: palette.yellow, failed: palette.red };
  const rows = result.steps.map((step) => [
    colour[step.status](step.status.padEnd(7)),
    step.name,
    formatDuration(step.durationMs),
    step.error ? `${step.error.code}: ${step.error.message}` : (step.detail ?? ''),
  ]);
  let text = rows.length > 0 ? formatTable(rows) : 'no steps\n';
  if (result.fallback) text += `${palette.yellow('fell back')} from ${result.fallback.from} to ${result.fallback.to}: ${result.fallback.reason}\n`;
  if (result.dryRun) return `${text}dry run: nothing was changed\n`;
  const freed = result.before && result.after ? formatBytes(result.freedBytes) : 'an unknown amount (/proc/meminfo could not be read)';
  return `${text}${palette.bold(`freed ${freed} in ${formatDuration(result.durationMs)}`)}\n`;
}

export function createReclaimCommand(options: ReclaimCommandOptions = {}): Command {
  const makeExecutor = options.createExecutor ?? ((distro) => (distro === undefined ? createLocalExecutor() : createWslExecutor({ distro })));
  const makeReclaimer = options.createReclaimer ?? ((executor) => createReclaimer({ executor }));
  return {
    name: 'reclaim',
    summary: 'give memory back now: drop caches, compact, or reclaim a cgroup',
    usage: USAGE,
    async run({ argv, io }) {
      const { request, json, distro } = parseReclaimArgs(argv);
      let executor: ReclaimExecutor;
      try {
        executor = makeExecutor(distro);
      } catch (error) {
        if (isReclaimError(error)) throw new UsageError(`--distro: ${error.message}`, USAGE);
        throw error;
      }
      const result = await makeReclaimer(executor).reclaim(request);
      io.stdout.write(json ? formatJson(result) : renderReclaim(result, createPalette(io.stdout.isTTY, io.env)));
      return reclaimExitCode(result);
    },
  };
}

export const reclaimCommand = createReclaimCommand();
