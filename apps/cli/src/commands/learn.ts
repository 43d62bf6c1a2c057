import * as nodeFs from 'node:fs/promises';
import { ApiError, formatBytes } from '@gov/api';
import { stateFiles } from '@gov/api/node';
import { createFileModelStore, DEFAULT_MIN_SAMPLES, describeExplorationLimit, explorationLimit, NeuralModelError, parseModel, summariseModel, type ModelSummary, type ReclaimBounds } from '@gov/neural';
import type { GovConfig } from '@gov/policies';
import { parseSubcommandArgs } from '../args.js';
import { chosenStateDir, loadCliConfig } from '../config-file.js';
import { connectGovd, type DaemonClientOptions } from '../daemon-client.js';
import { UsageError } from '../errors.js';
import { formatJson, formatTable } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { learnSpec } from './specs.js';


/**
 * Where the model lives: `--state-dir`, then `$GOV_STATE_DIR`, then the config's
 * `daemon.state_dir` (the file govd reads), so `gov learn` looks where govd writes. Also the
 * config, whose `daemon.listen` says where a running govd answers.
 */
async function locate(values: { 'state-dir'?: string | undefined; config?: string | undefined }, io: CliIo): Promise<{ stateDir: string; path: string; config: GovConfig }> {
  const { config } = await loadCliConfig(io, values.config);
  const stateDir = chosenStateDir(values['state-dir'], config, io);
  return { stateDir, path: stateFiles(stateDir).model, config };
}

type StatusJson = { model: string; exists: false; phase: 'observing'; samples: 0; minSamples: number } | ({ model: string; exists: true; trusted: true } & ModelSummary) | { model: string; exists: true; trusted: false; problem: string };

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** What `explores` shows: how far the advisor's next exploratory raise may go, and why. */
function describeBounds(bounds: ReclaimBounds): string {
  const share = (value: number) => `${(value * 100).toFixed(1)}%`;
  const why = describeExplorationLimit(bounds, share);
  return why === null ? 'no reclaim measured harmless yet: raises only where the model is sure' : `up to ${share(explorationLimit(bounds))} of RAM, ${why}`;
}

function renderStatus(status: StatusJson): string {
  if (!status.exists) {
    return `No model yet at ${status.model}.\ngovd creates it after the first action it can measure; until ${status.minSamples} outcomes are learned the configured policy decides alone.\n`;
  }
  if (!status.trusted) return `The model at ${status.model} cannot be trusted: ${status.problem}\ngovd sets such a file aside (renamed to *.rejected-<time>) and starts a new model when it starts.\n`;
  const rows: string[][] = [
    ['model', status.model],
    ['phase', status.phase === 'advising' ? `advising (learned from ${status.samples} outcomes)` : `observing: ${status.samples} of ${status.minSamples} outcomes learned; the policy decides alone until then`],
    ['outcomes', `${status.outcomes} measured, ${status.harmful} harmful, ${status.expired} not measured in time`],
  ];
  const error = status.recentError;
  rows.push(['recent error', error ? `kept bytes off by ${formatBytes(Math.round(error.keptBytesMae))} on average; harm called right ${percent(error.harmAccuracy)} (Brier ${error.harmBrier.toFixed(3)}) over the last ${error.outcomes}` : 'no outcome measured yet']);
  rows.push(['verdicts', `allow ${status.verdicts.allow}, veto ${status.verdicts.veto}, shrink ${status.verdicts.shrink}, raise ${status.verdicts.raise}`]);
  rows.push(['explores', describeBounds(status.bounds)]);
  if (status.lastAdvice) rows.push(['last advice', `${status.lastAdvice.at} ${status.lastAdvice.verdict}: ${status.lastAdvice.reason}`]);
  rows.push(['prefers', status.preference ? `${status.preference.summary} (as of ${status.preference.at})` : 'no preference yet']);
  rows.push(['updated', `${status.updatedAt} (created ${status.createdAt})`]);
  return formatTable(rows);
}

async function status(path: string, json: boolean, io: CliIo): Promise<number> {
  const store = createFileModelStore({ path, fs: nodeFs });
  const text = await store.read();
  let result: StatusJson;
  if (text === null) {
    result = { model: path, exists: false, phase: 'observing', samples: 0, minSamples: DEFAULT_MIN_SAMPLES };
  } else {
    try {
      result = { model: path, exists: true, trusted: true, ...summariseModel(parseModel(text), DEFAULT_MIN_SAMPLES) };
    } catch (error) {
      if (!(error instanceof NeuralModelError)) throw error;
      result = { model: path, exists: true, trusted: false, problem: error.message };
    }
  }
  io.stdout.write(json ? formatJson(result) : renderStatus(result));
  return result.exists && !result.trusted ? 1 : 0;
}

type GovdReset = 'reset' | 'not-running' | 'no-advisor';

/** Asks a running govd to start its advisor over (it keeps the model in memory otherwise). */
async function resetGovd(located: { stateDir: string; config: GovConfig }, options: DaemonClientOptions): Promise<{ url: string; govd: GovdReset; removed: boolean }> {
  const govd = await connectGovd(located.config, located.stateDir, options);
  try {
    const answer = await govd.ask((client) => client.learnReset());
    return answer === null ? { url: govd.url, govd: 'not-running', removed: false } : { url: govd.url, govd: 'reset', removed: answer.removed === true };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'GOV_HTTP_NO_ADVISOR') return { url: govd.url, govd: 'no-advisor', removed: false };
    throw error;
  }
}

async function reset(located: { stateDir: string; path: string; config: GovConfig }, json: boolean, yes: boolean, io: CliIo, options: DaemonClientOptions): Promise<number> {
  const { path } = located;
  if (!yes) {
    if (!io.isInteractive) throw new UsageError('refusing to delete the learned model without --yes (no terminal to ask on)');
    if (!(await io.confirm(`Delete the learned model at ${path}? The advisor goes back to observing.`))) {
      io.stderr.write('gov: nothing deleted\n');
      return 1;
    }
  }
  const govd = await resetGovd(located, options);
  const { url } = govd;
  const removedHere = await createFileModelStore({ path, fs: nodeFs }).remove();
  const removed = govd.removed || removedHere;
  if (json) {
    io.stdout.write(formatJson({ model: path, removed, govd: govd.govd, url }));
    return 0;
  }
  io.stdout.write(removed ? `Deleted ${path}.\n` : `No model at ${path}; nothing to delete.\n`);
  if (govd.govd === 'reset') io.stdout.write(`govd at ${url} started its advisor over.\n`);
  else if (govd.govd === 'no-advisor') io.stdout.write(`govd at ${url} runs without the advisor.\n`);
  else io.stdout.write(`No govd answered at ${url}; it starts from scratch when it next starts.\n`);
  return 0;
}

/** `gov learn status|reset`: what the advisor has learned, and starting it over (a running govd too). */
export function createLearnCommand(options: DaemonClientOptions = {}): Command {
  return {
    spec: learnSpec,
    async run({ argv, io }: { argv: string[]; io: CliIo }) {
      const { subcommand: action, values } = parseSubcommandArgs(argv, learnSpec, ['learn']);
      const located = await locate(values, io);
      const json = Boolean(values.json);
      return action === 'status' ? status(located.path, json, io) : reset(located, json, Boolean(values.yes), io, options);
    },
  };
}

export const learnCommand = createLearnCommand();
