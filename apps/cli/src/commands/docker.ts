import { formatBytes, formatDuration, formatPercent, type ContainersResponse } from '@gov/api';
import {
  createDockerClient,
  planPauseIdle,
  type ContainerInfo,
  type DockerClient,
  type DockerClientOptions,
  type PauseIdleResult,
  type SampleProgress,
  type UnpauseAllResult,
  type UnpauseResult,
} from '@gov/docker';
import type { GovConfig } from '@gov/policies';
import { createReclaimer } from '@gov/reclaimer';
import { parseDuration, parseSubcommandArgs } from '../args.js';
import { chosenStateDir, loadCliConfig, stateDirOf } from '../config-file.js';
import { connectGovd, type DaemonClientOptions } from '../daemon-client.js';
import { UsageError } from '../errors.js';
import { createPalette, formatJson, formatTable } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { dockerSpec } from './specs.js';

export interface DockerCommandOptions {
  /** Builds the client for one run; tests pass one over a fake engine. */
  createClient?: (options: DockerClientOptions) => DockerClient;
  /** How govd is reached (tests pass a `fetch`). */
  daemon?: DaemonClientOptions;
}

/** How long a dry run samples by itself when govd is not running, unless `--sample` says otherwise. */
export const DRY_RUN_SAMPLE_MS = 10_000;

/** The `[docker]` config (the file govd reads) and the state dir: `--state-dir`, `$GOV_STATE_DIR`, then `daemon.state_dir`. */
async function loadSettings(values: { config?: string | undefined; 'state-dir'?: string | undefined }, io: CliIo): Promise<{ config: GovConfig; stateDir: string }> {
  const { config } = await loadCliConfig(io, values.config);
  return { config, stateDir: chosenStateDir(values['state-dir'], config, io) };
}

/** Where a listing came from: govd's last sampling, or this run's own. */
type ListingSource = { from: 'govd'; url: string; sampledAt: string | null } | { from: 'engine'; sampledForMs: number };

/** govd's last container listing, when govd runs and its listing answered; `null` otherwise. */
async function listingOfGovd(config: GovConfig, io: CliIo, options: DaemonClientOptions): Promise<{ answer: ContainersResponse; url: string } | null> {
  const govd = await connectGovd(config, stateDirOf(config, io), options);
  const answer = await govd.ask((client) => client.containers());
  return answer !== null && answer.available ? { answer, url: govd.url } : null;
}

function renderList(containers: ContainerInfo[]): string {
  if (containers.length === 0) return 'No running or paused containers.\n';
  const rows = [['NAME', 'STATE', 'MEMORY', 'CACHE', 'CPU %', 'IDLE FOR']];
  for (const container of containers) {
    rows.push([
      container.name,
      container.pausedByGov ? 'paused (by gov)' : container.state,
      formatBytes(container.memory?.workingSet),
      formatBytes(container.memory?.cache),
      formatPercent(container.cpu?.percent),
      // One sample says nothing of idleness: it takes two to know the CPU use in between.
      container.idleForMs === null || container.cpu?.percent == null ? '—' : container.idleForMs === 0 ? 'not idle' : formatDuration(container.idleForMs),
    ]);
  }
  const failed = containers.filter((container) => container.error);
  return formatTable(rows) + failed.map((container) => `${container.name}: ${container.error?.message}\n`).join('');
}

function renderPauseIdle(result: PauseIdleResult, io: CliIo): string {
  const palette = createPalette(io.stdout.isTTY, io.env);
  const rows = [['NAME', 'ACTION', 'FREED', 'REASON']];
  for (const decision of result.containers) {
    const action = decision.action === 'paused' ? palette.green('paused') : decision.action === 'failed' ? palette.red('failed') : decision.action;
    const reason = decision.error ? decision.error.message : decision.reclaim && decision.reclaim.status !== 'ok' ? `${decision.reason}; reclaim ${decision.reclaim.status}: ${decision.reclaim.detail}` : decision.reason;
    rows.push([decision.name, action, decision.action === 'paused' ? formatBytes(decision.freedBytes) : '', reason]);
  }
  const table = result.containers.length > 0 ? formatTable(rows) : 'No running or paused containers.\n';
  let summary: string;
  if (result.dryRun) summary = `Dry run: would pause ${result.wouldPause.length} container(s)${result.wouldPause.length ? `: ${result.wouldPause.join(', ')}` : ''}.`;
  else if (result.paused.length > 0) summary = `Paused ${result.paused.length} container(s); ${formatBytes(result.freedBytes)} left their cgroups. Resume them with "gov docker unpause --all-paused-by-gov".`;
  else if (result.confirmed === false) summary = 'Nothing paused: not confirmed (pass --yes, or set docker.auto_pause_idle_containers = true).';
  else summary = `Nothing to pause: no container was idle for ${formatDuration(result.idleForMs)} and free of every guard.`;
  return `${table}\n${summary}\n`;
}

function progressLine(progress: SampleProgress): string {
  return `sampling CPU for idleness: ${formatDuration(progress.elapsedMs)} of ${formatDuration(progress.durationMs)} · ${progress.containers} container(s), ${progress.idle} idle so far`;
}

/** Runs `work`; an abort (Ctrl-C) while it runs becomes exit code 130 instead of an error. */
async function interruptible(io: CliIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (io.signal.aborted) {
      io.stderr.write('\ngov docker: interrupted; nothing was paused\n');
      return 130;
    }
    throw error;
  }
}

/** `gov docker ls | pause-idle | unpause`. */
export function createDockerCommand(options: DockerCommandOptions = {}): Command {
  const makeClient = options.createClient ?? createDockerClient;
  const daemon = options.daemon ?? {};

  return {
    spec: dockerSpec,
    async run({ argv, io }) {
      const { subcommand, values, positionals: names } = parseSubcommandArgs(argv, dockerSpec, ['docker']);
      const json = values.json === true;
      const sampleFlagMs = values.sample === undefined ? undefined : parseDuration(values.sample, '--sample');
      const idleFlagMs = values.idle === undefined ? undefined : parseDuration(values.idle, '--idle');

      const settings = await loadSettings(values, io);
      const docker = settings.config.docker;
      let made: DockerClient | null = null;
      // Made only when this run talks to the engine itself: an answer from govd needs none.
      const engineClient = () =>
        (made ??= makeClient({
          stateDir: settings.stateDir,
          idleCpuPercent: docker.idle_cpu_percent,
          reclaimer: createReclaimer(),
          ...(io.env['DOCKER_HOST'] ? { dockerHost: io.env['DOCKER_HOST'] } : {}),
        }));
      /** Samples for `durationMs` with a progress line (rewritten in place on a terminal, stated once otherwise). */
      const sampleWithProgress = (durationMs: number, why: string) => {
        const tty = io.stdout.isTTY === true;
        if (!tty) io.stderr.write(`sampling CPU for ${formatDuration(durationMs)} ${why}…\n`);
        return engineClient()
          .sample({
            durationMs,
            signal: io.signal,
            onProgress: (progress) => {
              if (tty) io.stderr.write(`\r\u001b[2K${progressLine(progress)}`);
            },
          })
          .finally(() => {
            if (tty) io.stderr.write('\n');
          });
      };

      if (subcommand === 'ls') {
        return interruptible(io, async () => {
          // Not asked to sample: govd's last listing answers when govd runs.
          const fromGovd = sampleFlagMs === undefined ? await listingOfGovd(settings.config, io, daemon) : null;
          let containers: ContainerInfo[];
          let source: ListingSource;
          if (fromGovd) {
            containers = fromGovd.answer.containers;
            source = { from: 'govd', url: fromGovd.url, sampledAt: fromGovd.answer.sampledAt };
          } else {
            // One listing unless asked for longer: CPU use needs a second sample, --sample's.
            const durationMs = sampleFlagMs ?? 0;
            containers = durationMs > 0 ? await engineClient().sample({ durationMs, intervalMs: durationMs, signal: io.signal }) : await engineClient().listContainers();
            source = { from: 'engine', sampledForMs: durationMs };
          }
          io.stdout.write(json ? formatJson({ containers, source }) : renderList(containers));
          if (!json && source.from === 'engine' && source.sampledForMs === 0 && containers.some((container) => container.state === 'running')) {
            io.stderr.write('CPU % needs two samples: pass --sample DURATION (e.g. --sample 1s), or run govd, which samples every tick.\n');
          }
          return 0;
        });
      }

      if (subcommand === 'pause-idle') {
        const idleForMs = idleFlagMs ?? docker.idle_container_threshold_minutes * 60_000;
        const dryRun = values['dry-run'] === true;
        if (sampleFlagMs !== undefined && !dryRun) throw new UsageError('--sample applies to "gov docker pause-idle --dry-run" only: a real run samples for the whole idle window');
        const preConfirmed = values.yes === true || docker.auto_pause_idle_containers;
        const guards = { allow: docker.allow, deny: docker.deny, maxPausesPerTick: docker.max_pauses_per_tick };
        if (dryRun) {
          return interruptible(io, async () => {
            const fromGovd = sampleFlagMs === undefined ? await listingOfGovd(settings.config, io, daemon) : null;
            let result: PauseIdleResult;
            let note: string;
            if (fromGovd) {
              result = planPauseIdle(fromGovd.answer.containers, { idleForMs, ...guards });
              note = `Judged on govd's sampling at ${fromGovd.url} (listing of ${fromGovd.answer.sampledAt ?? 'now'}).`;
            } else {
              // Without govd, a short sample instead of the whole window: what was idle over it.
              const sampleMs = Math.min(sampleFlagMs ?? DRY_RUN_SAMPLE_MS, idleForMs);
              const why = sampleMs < idleForMs ? `instead of the ${formatDuration(idleForMs)} idle window (govd is not running; --sample sets how long)` : 'to find containers idle for that long';
              await sampleWithProgress(sampleMs, why);
              result = await engineClient().pauseIdle({ idleForMs: sampleMs, dryRun: true, ...guards });
              note = sampleMs < idleForMs ? `Judged on a ${formatDuration(sampleMs)} sample, not the ${formatDuration(idleForMs)} idle window a real run waits for.` : '';
            }
            io.stdout.write(json ? formatJson(result) : `${renderPauseIdle(result, io)}${note ? `${note}\n` : ''}`);
            return 0;
          });
        }
        return interruptible(io, async () => {
          await sampleWithProgress(idleForMs, 'to find containers idle for that long');
          const client = engineClient();
          let asked = false;
          const result = await client.pauseIdle({
            idleForMs,
            ...guards,
            confirm: async (containers) => {
              if (preConfirmed) return true;
              if (!io.isInteractive) return false;
              asked = true;
              const list = containers.map((container) => `${container.name} (${formatBytes(container.memory?.usage)})`).join(', ');
              return io.confirm(`Pause ${containers.length} idle container(s) and reclaim their memory: ${list}?`);
            },
          });
          io.stdout.write(json ? formatJson(result) : renderPauseIdle(result, io));
          if (result.containers.some((decision) => decision.action === 'failed')) return 1;
          // Could not ask and was not told yes: the run did not do what it was for.
          if (result.confirmed === false && !asked) {
            if (!json) io.stderr.write('gov docker: not on a terminal, so nothing was asked; pass --yes to pause without asking\n');
            return 1;
          }
          return 0;
        });
      }

      const client = engineClient();
      const all = values['all-paused-by-gov'] === true;
      if (all && names.length > 0) throw new UsageError('give container names or --all-paused-by-gov, not both');
      if (!all && names.length === 0) throw new UsageError('say which containers: NAME... or --all-paused-by-gov');
      if (all) {
        const result: UnpauseAllResult = await client.unpauseAll();
        if (json) io.stdout.write(formatJson(result));
        else {
          const lines = [
            result.unpaused.length > 0 ? `Unpaused ${result.unpaused.join(', ')}.` : 'No container paused by gov is still paused.',
            ...result.forgotten.map((entry) => `Forgot ${entry.name}: ${entry.reason === 'gone' ? 'it no longer exists' : 'someone else unpaused it'}.`),
            ...result.failed.map((entry) => `Could not unpause ${entry.name}: ${entry.error.message}`),
          ];
          io.stdout.write(`${lines.join('\n')}\n`);
        }
        return result.failed.length > 0 ? 1 : 0;
      }
      const results: UnpauseResult[] = [];
      const failed: { name: string; error: { code: string; message: string } }[] = [];
      for (const name of names) {
        try {
          results.push(await client.unpause(name));
        } catch (error) {
          const coded = error as { code?: string; message: string };
          if (coded.code === 'GOV_DOCKER_UNAVAILABLE') throw error;
          failed.push({ name, error: { code: coded.code ?? 'GOV_DOCKER_API', message: coded.message } });
        }
      }
      if (json) io.stdout.write(formatJson({ results, failed }));
      else {
        const lines = [
          ...results.map((result) => (result.action === 'unpaused' ? `Unpaused ${result.name}.` : `${result.name} was not paused.`)),
          ...failed.map((entry) => `Could not unpause ${entry.name}: ${entry.error.message}`),
        ];
        io.stdout.write(`${lines.join('\n')}\n`);
      }
      return failed.length > 0 ? 1 : 0;
    },
  };
}

export const dockerCommand = createDockerCommand();
