import { formatBytes, formatDuration, formatPercent } from '@gov/api';
import {
  createDockerClient,
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
import { chosenStateDir, loadCliConfig } from '../config-file.js';
import { UsageError } from '../errors.js';
import { createPalette, formatJson, formatTable } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { dockerSpec } from './specs.js';


export interface DockerCommandOptions {
  /** Builds the client for one run; tests pass one over a fake engine. */
  createClient?: (options: DockerClientOptions) => DockerClient;
}

/** The `[docker]` config (the file govd reads) and the state dir: `--state-dir`, `$GOV_STATE_DIR`, then `daemon.state_dir`. */
async function loadSettings(values: { config?: string | undefined; 'state-dir'?: string | undefined }, io: CliIo): Promise<{ config: GovConfig; stateDir: string }> {
  const { config } = await loadCliConfig(io, values.config);
  return { config, stateDir: chosenStateDir(values['state-dir'], config, io) };
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
      container.idleForMs === null ? '—' : container.idleForMs === 0 ? 'not idle' : formatDuration(container.idleForMs),
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

  return {
    spec: dockerSpec,
    async run({ argv, io }) {
      const { subcommand, values, positionals: names } = parseSubcommandArgs(argv, dockerSpec, ['docker']);
      const json = values.json === true;
      const sampleMs = values.sample === undefined ? 1000 : parseDuration(values.sample, '--sample');
      const idleFlagMs = values.idle === undefined ? undefined : parseDuration(values.idle, '--idle');

      const settings = await loadSettings(values, io);
      const docker = settings.config.docker;
      const client = makeClient({
        stateDir: settings.stateDir,
        idleCpuPercent: docker.idle_cpu_percent,
        reclaimer: createReclaimer(),
        ...(io.env['DOCKER_HOST'] ? { dockerHost: io.env['DOCKER_HOST'] } : {}),
      });

      if (subcommand === 'ls') {
        return interruptible(io, async () => {
          const containers = await client.sample({ durationMs: sampleMs, intervalMs: sampleMs, signal: io.signal });
          io.stdout.write(json ? formatJson({ containers }) : renderList(containers));
          return 0;
        });
      }

      if (subcommand === 'pause-idle') {
        const idleForMs = idleFlagMs ?? docker.idle_container_threshold_minutes * 60_000;
        const dryRun = values['dry-run'] === true;
        const preConfirmed = values.yes === true || docker.auto_pause_idle_containers;
        return interruptible(io, async () => {
          const tty = io.stdout.isTTY === true;
          if (!tty) io.stderr.write(`sampling CPU for ${formatDuration(idleForMs)} to find containers idle for that long…\n`);
          await client.sample({
            durationMs: idleForMs,
            signal: io.signal,
            onProgress: (progress) => {
              if (tty) io.stderr.write(`\r\u001b[2K${progressLine(progress)}`);
            },
          });
          if (tty) io.stderr.write('\n');
          let asked = false;
          const result = await client.pauseIdle({
            idleForMs,
            dryRun,
            allow: docker.allow,
            deny: docker.deny,
            maxPausesPerTick: docker.max_pauses_per_tick,
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
