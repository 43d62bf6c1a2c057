import { join } from 'node:path';

/** The unit's name, as systemctl takes it. */
export const UNIT_NAME = 'govd.service';

/** Where `gov service` puts things, below a root (`/`, or `--root DIR`). */
export function serviceFiles(root: string) {
  return {
    unit: join(root, 'etc/systemd/system', UNIT_NAME),
    /** The config the unit runs with; `gov service install` writes one when there is none. */
    config: join(root, 'etc/gov/config.toml'),
  };
}

/** The config path as the unit names it: always the live system's, whatever the root. */
export const SERVICE_CONFIG = '/etc/gov/config.toml';
/** What `StateDirectory=gov` makes, and what the written config names as `daemon.state_dir`. */
export const SERVICE_STATE_DIR = '/var/lib/gov';

/** One word of a command line as systemd reads it: `%` and `$` doubled, quoted when it has spaces or quotes. */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

/** How the unit starts govd: the node that runs gov and the installed govd's script, by absolute path. */
export interface GovdCommand {
  /** Absolute path of the program systemd starts (node, or govd itself when it is not a script). */
  program: string;
  /** Its arguments before govd's own flags (govd's script when `program` is node). */
  args: readonly string[];
}

/**
 * The systemd unit of govd. `ExecStart` names node and govd by absolute path: a service does not
 * get the login shell's PATH (nvm, a user prefix), and `env node` in govd's first line would not
 * find the node it was installed with.
 */
export function renderGovdUnit(command: GovdCommand): string {
  const execStart = [command.program, ...command.args, '--config', SERVICE_CONFIG].map(systemdWord).join(' ');
  return `# govd, the gov memory governor daemon, as a systemd system service.
# Written by "gov service install"; "gov service uninstall" removes it.
# Reload the config with "systemctl reload govd".
[Unit]
Description=gov memory governor daemon
Documentation=https://github.com/gov-memory/gov/blob/main/docs/install-service.md
After=local-fs.target network.target

[Service]
Type=simple
ExecStart=${execStart}
ExecReload=/bin/kill -HUP $MAINPID
# SIGTERM lets the running tick finish and the history flush before exit 0.
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure
RestartSec=5
# Exit 2 is a bad config: restarting cannot fix it, so do not loop.
RestartPreventExitStatus=2
Environment=NODE_ENV=production

# govd writes /proc/sys/vm/drop_caches, /proc/sys/vm/compact_memory and cgroup memory files,
# which needs root. Everything else is locked down. Do not add ProtectKernelTunables= or
# ProtectControlGroups=: they make exactly those files read-only.
User=root
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
# /var/lib/gov, handed to govd as $STATE_DIRECTORY: history, token, learned model.
StateDirectory=gov
StateDirectoryMode=0700
ConfigurationDirectory=gov
# PUT /api/config persists the config here.
ReadWritePaths=/etc/gov
# AF_UNIX: the Docker socket.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
UMask=0077
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictRealtime=yes
SystemCallArchitectures=native

[Install]
WantedBy=multi-user.target
`;
}

/** What to do where systemd is not PID 1: in WSL2, turn it on; elsewhere, run govd under the init system there is. */
export function withoutSystemdAdvice(options: { wsl: boolean; pid1: string | null; command: GovdCommand }): string {
  const pid1 = options.pid1 === null ? 'something else' : `"${options.pid1}"`;
  if (options.wsl) {
    return [
      `systemd is not running in this WSL distribution (PID 1 is ${pid1}). To turn it on:`,
      '  1. put these lines in /etc/wsl.conf (sudoedit /etc/wsl.conf):',
      '       [boot]',
      '       systemd=true',
      '  2. from Windows (PowerShell or cmd), restart WSL:  wsl --shutdown',
      '  3. open the distribution again and run:  sudo env "PATH=$PATH" gov service install',
      'This needs WSL 0.67.6 or later ("wsl --version" shows it).',
    ].join('\n');
  }
  const run = [options.command.program, ...options.command.args, '--config', SERVICE_CONFIG].join(' ');
  return [
    `systemd is not PID 1 here (PID 1 is ${pid1}), so there is no systemd service to install.`,
    'Run govd under the init system or supervisor this machine has, as root, with:',
    `  ${run}`,
    `and GOV_STATE_DIR=${SERVICE_STATE_DIR} in its environment; or write the files into an image with`,
    '  gov service install --root DIR',
  ].join('\n');
}
