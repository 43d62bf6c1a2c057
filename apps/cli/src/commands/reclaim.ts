import { stateFiles } from '@gov/api/node';
import { formatBytes, formatDuration } from '@gov/api';
import {
  createFileReclaimLock,
  createLocalExecutor,
  createReclaimer,
  createWslExecutor,
  isReclaimError,
  normaliseReclaimMethod,
  RECLAIM_METHOD_ALIASES,
  RECLAIM_METHOD_NAMES,
  RECLAIM_METHODS,
  validateRequest,
  validateTargetBytes,
  type Reclaimer,
  type ReclaimExecutor,
  type ReclaimLock,
  type ReclaimRequest,
  type ReclaimResult,
} from '@gov/reclaimer';
import { parseCommandArgs, parseSize } from '../args.js';
import { chosenStateDir, loadCliConfig } from '../config-file.js';
import { UsageError } from '../errors.js';
import { createPalette, formatJson, formatTable } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { synopsis } from '../spec.js';
import { reclaimSpec } from './specs.js';

const USAGE = synopsis(['reclaim'], reclaimSpec);

export interface ReclaimCommandOptions {
  /** Builds the reclaimer for one run (`lock`: the one a real run holds); tests pass one with a fake executor. */
  createReclaimer?: (executor: ReclaimExecutor, lock: ReclaimLock | undefined) => Reclaimer;
  /** The lock a real run holds; default the lock file in govd's state directory, shared with govd. */
  createLock?: (io: CliIo) => Promise<ReclaimLock>;
  /** Builds the executor: WSL when `--distro` is given, local otherwise. */
  createExecutor?: (distro: string | undefined) => ReclaimExecutor;
}

/** Turns the flags into a reclaim request; throws `UsageError` for anything it cannot read. */
export function parseReclaimArgs(argv: string[]): { request: ReclaimRequest; json: boolean; distro: string | undefined } {
  const { values } = parseCommandArgs(argv, reclaimSpec, ['reclaim']);
  const targeted = values.target !== undefined || values.cgroup !== undefined;
  const methodName = values.method ?? (targeted ? 'cgroup_reclaim' : 'drop_caches');
  const method = normaliseReclaimMethod(methodName);
  if (!method) {
    throw new UsageError(`--method: "${methodName}" is not a reclaim method; use ${RECLAIM_METHODS.join(', ')} (or ${Object.keys(RECLAIM_METHOD_ALIASES).join(', ')})`, USAGE, { given: methodName, known: RECLAIM_METHOD_NAMES, quoted: true });
  }
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
  if (values.compact) request.compact = true;
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
  if (result.freedMeasure === 'cgroup' && result.cgroup) {
    return `${text}${palette.bold(`freed ${formatBytes(result.freedBytes)} from cgroup ${result.cgroup.path} in ${formatDuration(result.durationMs)}`)}\n`;
  }
  const freed = result.before && result.after ? formatBytes(result.freedBytes) : 'an unknown amount (/proc/meminfo could not be read)';
  return `${text}${palette.bold(`freed ${freed} in ${formatDuration(result.durationMs)}`)}\n`;
}

export function createReclaimCommand(options: ReclaimCommandOptions = {}): Command {
  const makeExecutor = options.createExecutor ?? ((distro) => (distro === undefined ? createLocalExecutor() : createWslExecutor({ distro })));
  // A reclaim already running (govd's or another gov's) is refused, not waited for.
  const makeReclaimer = options.createReclaimer ?? ((executor, lock) => createReclaimer({ executor, whenBusy: 'fail', ...(lock ? { lock } : {}) }));
  const makeLock =
    options.createLock ??
    (async (io: CliIo) => {
      const { config } = await loadCliConfig(io);
      return createFileReclaimLock({ path: stateFiles(chosenStateDir(undefined, config, io)).reclaimLock });
    });
  return {
    spec: reclaimSpec,
    async run({ argv, io }) {
      const { request, json, distro } = parseReclaimArgs(argv);
      let executor: ReclaimExecutor;
      try {
        executor = makeExecutor(distro);
      } catch (error) {
        if (isReclaimError(error)) throw new UsageError(`--distro: ${error.message}`, USAGE);
        throw error;
      }
      // Refuse a bad request before reading the config for the lock; a dry run takes no lock.
      validateRequest(request);
      const lock = request.dryRun ? undefined : await makeLock(io);
      const result = await makeReclaimer(executor, lock).reclaim(request);
      io.stdout.write(json ? formatJson(result) : renderReclaim(result, createPalette(io.stdout.isTTY, io.env)));
      return reclaimExitCode(result);
    },
  };
}

export const reclaimCommand = createReclaimCommand();
