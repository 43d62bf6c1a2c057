import { constants } from 'node:fs';
import { access, mkdir, open, readFile, realpath, rm, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigAtomically } from '@gov/api/node';
import { createExec, writeFileAtomic, type Exec } from '@gov/io';
import { detectEnvironment } from '@gov/meminfo';
import { defaultConfig } from '@gov/policies';
import { parseSubcommandArgs } from '../args.js';
import { loadCliConfig } from '../config-file.js';
import { connectGovd } from '../daemon-client.js';
import { ServiceError } from '../errors.js';
import { formatJson, formatTable } from '../format.js';
import type { CliIo, Command } from '../io.js';
import { renderGovdUnit, SERVICE_STATE_DIR, serviceFiles, UNIT_NAME, withoutSystemdAdvice, type GovdCommand } from '../service/unit.js';
import { serviceSpec } from './specs.js';

/** What `gov service` needs to know of the machine; tests pass their own. */
export interface ServiceHost {
  /** The root of the live system: `/`. */
  root: string;
  /** Whether systemd runs as PID 1 (sd_booted: `/run/systemd/system` is a directory). */
  systemdRunning(): Promise<boolean>;
  /** PID 1's name (`/proc/1/comm`), for the message when it is not systemd. */
  pid1(): Promise<string | null>;
  /** Whether this is a WSL distribution. */
  isWsl(): Promise<boolean>;
  isRoot: boolean;
  /** The node that runs gov: the unit runs govd with it. */
  nodePath: string;
  /** The govd installed beside this gov (`@gov/daemon` next to `@gov/cli`), when there is one. */
  siblingGovd: string;
}

export interface ServiceCommandOptions {
  host?: Partial<ServiceHost>;
  /** Runs systemctl; by default the real one, found on the io's PATH. */
  exec?: Exec;
}

function realHost(): ServiceHost {
  return {
    root: '/',
    systemdRunning: async () => (await stat('/run/systemd/system').catch(() => null))?.isDirectory() === true,
    pid1: async () => (await readFile('/proc/1/comm', 'utf8').catch(() => null))?.trim() ?? null,
    isWsl: async () => (await detectEnvironment()) === 'wsl-guest',
    isRoot: process.getuid?.() === 0,
    nodePath: process.execPath,
    // dist/ of @gov/cli → its sibling @gov/daemon: the layout of a global install and of the repo.
    siblingGovd: fileURLToPath(new URL('../../daemon/bin/govd.js', import.meta.url)),
  };
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** Whether the file starts with a `#!` line that runs node (govd's bin script does). */
async function isNodeScript(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(128), 0, 128, 0);
    return /^#!.*\bnode\b/.test(buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '');
  } finally {
    await handle.close();
  }
}

/** The govd the unit runs: `--govd`, else `govd` on PATH, else the one installed beside gov; by real path. */
async function locateGovd(flag: string | undefined, io: CliIo, host: ServiceHost): Promise<GovdCommand> {
  let found: string | undefined = flag;
  if (found === undefined) {
    for (const dir of (io.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
      if (await isExecutable(join(dir, 'govd'))) {
        found = join(dir, 'govd');
        break;
      }
    }
  }
  found ??= (await exists(host.siblingGovd)) ? host.siblingGovd : undefined;
  if (found === undefined) throw new ServiceError('GOV_SERVICE_NO_GOVD', 'govd is not installed (not on PATH, nor beside gov): npm i -g @gov/daemon, or name it with --govd PATH');
  const program = await realpath(found).catch((error: NodeJS.ErrnoException) => {
    throw new ServiceError('GOV_SERVICE_NO_GOVD', `--govd ${found}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, 2);
  });
  return (await isNodeScript(program)) ? { program: host.nodePath, args: [program] } : { program, args: [] };
}

/** Runs one systemctl command; a failure stops the rest with systemctl's own words. */
async function systemctl(exec: Exec, args: readonly string[]): Promise<void> {
  const result = await exec('systemctl', args);
  if (result.exitCode !== 0) throw new ServiceError('GOV_SERVICE_SYSTEMCTL', `systemctl ${args.join(' ')} failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`);
}

/** Stops where the live system cannot take a service: systemd not PID 1 (with what to do), or not root. */
async function requireLiveSystemd(host: ServiceHost, command: GovdCommand | null, io: CliIo, json: boolean): Promise<number | null> {
  if (!(await host.systemdRunning())) {
    const advice = withoutSystemdAdvice({ wsl: await host.isWsl(), pid1: await host.pid1(), command: command ?? { program: 'govd', args: [] } });
    if (json) io.stdout.write(formatJson({ error: { code: 'GOV_SERVICE_NO_SYSTEMD', message: advice } }));
    else io.stderr.write(`gov: ${advice}\n`);
    return 1;
  }
  if (!host.isRoot) throw new ServiceError('GOV_SERVICE_NEEDS_ROOT', 'installing a system service needs root: sudo env "PATH=$PATH" gov service …  (plain sudo resets PATH, and may find neither gov nor node)');
  return null;
}

function commandLines(commands: readonly (readonly string[])[]): string {
  return commands.map((args) => `  systemctl ${args.join(' ')}`).join('\n');
}

async function install(values: { govd?: string | undefined; 'dry-run'?: boolean | undefined; root?: string | undefined; json?: boolean | undefined }, io: CliIo, host: ServiceHost, exec: Exec): Promise<number> {
  const json = values.json === true;
  const offline = values.root !== undefined;
  const root = values.root ?? host.root;
  const files = serviceFiles(root);
  const command = await locateGovd(values.govd, io, host);
  const unit = renderGovdUnit(command);
  const commands = offline ? [[`--root=${root}`, 'enable', UNIT_NAME]] : [['daemon-reload'], ['enable', UNIT_NAME], ['restart', UNIT_NAME]];
  const writeConfig = !(await exists(files.config));
  const report = { unit: files.unit, config: files.config, configWritten: writeConfig, stateDir: SERVICE_STATE_DIR, execStart: [command.program, ...command.args], systemctl: commands, dryRun: values['dry-run'] === true };

  if (values['dry-run']) {
    if (json) io.stdout.write(formatJson({ ...report, unitText: unit }));
    else {
      io.stdout.write(`# ${files.unit} would be:\n${unit}\n`);
      io.stdout.write(`${writeConfig ? `would write ${files.config} (daemon.state_dir = "${SERVICE_STATE_DIR}")` : `would keep ${files.config}`}\nwould run:\n${commandLines(commands)}\n`);
    }
    return 0;
  }
  if (!offline) {
    const stopped = await requireLiveSystemd(host, command, io, json);
    if (stopped !== null) return stopped;
  }
  if (writeConfig) await writeConfigAtomically(files.config, { ...defaultConfig, daemon: { ...defaultConfig.daemon, state_dir: SERVICE_STATE_DIR } });
  await mkdir(join(files.unit, '..'), { recursive: true });
  await writeFileAtomic(files.unit, unit, { mode: 0o644 });
  for (const args of commands) await systemctl(exec, args);

  if (json) io.stdout.write(formatJson(report));
  else {
    const lines = [`Wrote ${files.unit}: it runs ${[command.program, ...command.args].join(' ')}.`, writeConfig ? `Wrote ${files.config} with the defaults; state in ${SERVICE_STATE_DIR}.` : `Kept ${files.config}.`];
    lines.push(offline ? `Enabled ${UNIT_NAME} under ${root}; it starts when that system boots.` : `Enabled and started ${UNIT_NAME}. Check it with: gov service status, journalctl -u govd -f`);
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return 0;
}

async function uninstall(values: { 'dry-run'?: boolean | undefined; root?: string | undefined; json?: boolean | undefined }, io: CliIo, host: ServiceHost, exec: Exec): Promise<number> {
  const json = values.json === true;
  const offline = values.root !== undefined;
  const root = values.root ?? host.root;
  const files = serviceFiles(root);
  if (!(await exists(files.unit))) {
    if (json) io.stdout.write(formatJson({ unit: files.unit, removed: false }));
    else io.stdout.write(`${UNIT_NAME} is not installed (no ${files.unit}).\n`);
    return 0;
  }
  const before = offline ? [[`--root=${root}`, 'disable', UNIT_NAME]] : [['disable', '--now', UNIT_NAME]];
  const after = offline ? [] : [['daemon-reload']];
  if (values['dry-run']) {
    if (json) io.stdout.write(formatJson({ unit: files.unit, removed: false, dryRun: true, systemctl: [...before, ...after] }));
    else io.stdout.write(`would run:\n${commandLines(before)}\nwould remove ${files.unit}\n${after.length ? `would run:\n${commandLines(after)}\n` : ''}`);
    return 0;
  }
  if (!offline) {
    const stopped = await requireLiveSystemd(host, null, io, json);
    if (stopped !== null) return stopped;
  }
  for (const args of before) await systemctl(exec, args);
  await rm(files.unit, { force: true });
  for (const args of after) await systemctl(exec, args);
  if (json) io.stdout.write(formatJson({ unit: files.unit, removed: true, systemctl: [...before, ...after] }));
  else io.stdout.write(`${offline ? 'Disabled' : 'Stopped, disabled'} and removed ${UNIT_NAME}. ${files.config} and ${SERVICE_STATE_DIR} are kept; remove them by hand if you want them gone.\n`);
  return 0;
}

/** systemctl's one-word answer (`enabled`, `active`…), whatever its exit code. */
async function ask(exec: Exec, args: readonly string[]): Promise<string> {
  const result = await exec('systemctl', args);
  return (result.stdout || result.stderr).trim().split('\n')[0] ?? '';
}

async function status(values: { root?: string | undefined; json?: boolean | undefined }, io: CliIo, host: ServiceHost, exec: Exec): Promise<number> {
  const offline = values.root !== undefined;
  const root = values.root ?? host.root;
  const files = serviceFiles(root);
  const text = await readFile(files.unit, 'utf8').catch(() => null);
  const installed = text !== null;
  const execStart = text?.match(/^ExecStart=(.*)$/m)?.[1] ?? null;
  const systemd = offline || (await host.systemdRunning());
  const enabled = installed && systemd ? await ask(exec, offline ? [`--root=${root}`, 'is-enabled', UNIT_NAME] : ['is-enabled', UNIT_NAME]) : null;
  const active = installed && systemd && !offline ? await ask(exec, ['is-active', UNIT_NAME]) : null;
  let govd: { url: string; answers: boolean; version: string | null; policy: string | null } | null = null;
  if (!offline) {
    const { config } = await loadCliConfig(io, (await exists(files.config)) ? files.config : undefined);
    const client = await connectGovd(config, SERVICE_STATE_DIR);
    const answer = await client.ask((api) => api.status()).catch(() => null);
    govd = { url: client.url, answers: answer !== null, version: answer?.version ?? null, policy: answer?.policy ?? null };
  }
  const ok = installed && (offline ? enabled === 'enabled' : active === 'active');
  if (values.json) {
    io.stdout.write(formatJson({ unit: files.unit, installed, execStart, systemd, enabled, active, govd }));
    return ok ? 0 : 1;
  }
  const rows: string[][] = [['unit', `${files.unit} (${installed ? 'installed' : 'not installed: gov service install'})`]];
  if (execStart) rows.push(['runs', execStart]);
  if (!systemd) rows.push(['systemd', 'not running here (not PID 1): gov service install says what to do']);
  if (enabled !== null) rows.push(['enabled', enabled]);
  if (active !== null) rows.push(['active', active]);
  if (govd) rows.push(['govd', govd.answers ? `answers at ${govd.url} (${govd.version}, policy ${govd.policy})` : `does not answer at ${govd.url}`]);
  io.stdout.write(formatTable(rows));
  return ok ? 0 : 1;
}

/** `gov service install|uninstall|status`: govd as a systemd service, for the govd installed on this machine. */
export function createServiceCommand(options: ServiceCommandOptions = {}): Command {
  return {
    spec: serviceSpec,
    async run({ argv, io }) {
      const { subcommand, values } = parseSubcommandArgs(argv, serviceSpec, ['service']);
      const host = { ...realHost(), ...options.host };
      const exec = options.exec ?? createExec(io.env['PATH'] ? { env: { PATH: io.env['PATH'] } } : {});
      switch (subcommand) {
        case 'install':
          return install(values, io, host, exec);
        case 'uninstall':
          return uninstall(values, io, host, exec);
        case 'status':
          return status(values, io, host, exec);
      }
    },
  };
}

export const serviceCommand = createServiceCommand();
