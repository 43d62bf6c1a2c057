// What every gov command accepts, in one place: parsing, --help, usage lines, did-you-mean and
// shell completion all come from here. Light on purpose (no library behind it but the catalogue's
// facts), so `gov --help` and completion never load a command's code.
import { RECLAIM_METHOD_NAMES } from '@gov/reclaimer/catalogue';
import type { CommandSpec, OptionSpec } from '../spec.js';

const config = {
  type: 'string',
  value: 'PATH',
  description: 'the config file to read',
  defaultText: '$GOV_CONFIG, ~/.config/gov/config.toml, /etc/gov/config.toml, else the built-in defaults',
} as const satisfies OptionSpec;

const stateDir = {
  type: 'string',
  value: 'PATH',
  description: "govd's state directory (history, token, learned model, paused containers)",
  defaultText: "$GOV_STATE_DIR, $STATE_DIRECTORY, else the config's daemon.state_dir",
} as const satisfies OptionSpec;

const yes = { type: 'boolean', short: 'y', description: 'do it without asking' } as const satisfies OptionSpec;

export const statusSpec = {
  name: 'status',
  summary: 'show how memory is used now (Linux, pressure, the host and vmmem) and what govd is doing',
  options: {
    watch: { type: 'boolean', description: 'redraw every second until Ctrl-C; with --json, one JSON line per second' },
    distro: { type: 'string', value: 'NAME', description: 'read this WSL distribution from Windows, through wsl.exe', defaultText: 'this machine' },
    config,
  },
} as const satisfies CommandSpec;

export const reclaimSpec = {
  name: 'reclaim',
  summary: 'give memory back now: drop caches, compact, or reclaim a cgroup',
  options: {
    method: {
      type: 'string',
      value: 'METHOD',
      choices: RECLAIM_METHOD_NAMES,
      description: 'what to run: drop_caches, compact_memory (or compact), cgroup_reclaim (or cgroup), or full (sync, drop_caches, then compact_memory)',
      defaultText: 'cgroup_reclaim with --target or --cgroup, else drop_caches',
    },
    level: { type: 'string', value: '1|2|3', choices: ['1', '2', '3'], description: 'what drop_caches drops: 1 the page cache, 2 dentries and inodes, 3 both (drop_caches and full only)', defaultText: '1' },
    target: { type: 'string', value: 'SIZE', description: 'how much a cgroup reclaim asks the kernel for, from 1M to 64G, e.g. 512M (binary units)', defaultText: 'what the cgroup holds as file cache' },
    cgroup: { type: 'string', value: 'PATH', description: 'the cgroup to reclaim from, relative to the memory cgroup mount, e.g. system.slice/docker-<id>.scope (cgroup_reclaim only)', defaultText: 'the root cgroup: the whole machine' },
    'no-sync': { type: 'boolean', description: 'do not run sync before drop_caches (dirty pages then stay cached)', defaultText: 'sync first' },
    compact: { type: 'boolean', description: 'compact memory after drop_caches or cgroup_reclaim: under WSL2 this hands the freed memory back to Windows at once', defaultText: 'only full compacts' },
    distro: { type: 'string', value: 'NAME', description: 'reclaim in this WSL distribution from Windows, through wsl.exe -u root', defaultText: 'this machine' },
    'dry-run': { type: 'boolean', description: 'show every step it would run, change nothing' },
  },
  notes: 'Reclaiming writes /proc/sys/vm and cgroup files, which needs root (sudo gov reclaim).',
} as const satisfies CommandSpec;

export const dockerSpec = {
  name: 'docker',
  summary: 'containers: memory and CPU from their cgroups, pause idle ones and reclaim their memory',
  options: {},
  subcommands: [
    {
      name: 'ls',
      summary: 'list running and paused containers with memory, cache, CPU and how long each has been idle',
      options: {
        sample: { type: 'string', value: 'DURATION', description: 'sample CPU use for this long here instead of asking govd, e.g. 2s', defaultText: "govd's last listing when govd runs, else one listing without CPU %" },
        config,
        'state-dir': stateDir,
      },
    },
    {
      name: 'pause-idle',
      summary: 'pause containers idle for a while and reclaim the memory they held',
      options: {
        idle: { type: 'string', value: 'DURATION', description: 'how long a container must have stayed under docker.idle_cpu_percent to count as idle, e.g. 30m', defaultText: 'docker.idle_container_threshold_minutes of the config (30m)' },
        'dry-run': { type: 'boolean', description: 'say which containers it would pause, pause none' },
        sample: { type: 'string', value: 'DURATION', description: 'with --dry-run: sample CPU use for this long here instead of judging on govd\'s sampling, e.g. 30s', defaultText: "govd's sampling when govd runs, else 10s" },
        yes: { ...yes, description: 'pause without asking', defaultText: 'ask on a terminal; docker.auto_pause_idle_containers = true also says yes' },
        config,
        'state-dir': stateDir,
      },
      notes: 'Containers labelled gov.pause=never, or matching docker.deny, are never paused.',
    },
    {
      name: 'unpause',
      summary: 'resume containers: the ones named, or every one gov paused',
      operands: '[NAME...]',
      options: {
        'all-paused-by-gov': { type: 'boolean', description: 'resume every container gov paused and that is still paused' },
        config,
        'state-dir': stateDir,
      },
    },
  ],
} as const satisfies CommandSpec;

export const historySpec = {
  name: 'history',
  summary: 'show what the governor did: reclaims, pauses, vetoes, errors, feedback',
  options: {
    limit: { type: 'string', value: 'N', description: 'how many of the latest records to show', defaultText: '20' },
    config,
  },
  notes: 'Asks govd when it runs; otherwise reads the history file in its state directory.',
} as const satisfies CommandSpec;

export const feedbackSpec = {
  name: 'feedback',
  summary: 'tell the governor its recent actions made things slow, or were fine',
  operands: 'slow|ok',
  operandChoices: ['slow', 'ok'],
  options: {
    note: { type: 'string', value: 'TEXT', description: 'what you noticed, kept in the history with the feedback' },
    config,
  },
} as const satisfies CommandSpec;

export const learnSpec = {
  name: 'learn',
  summary: 'what the learned advisor has seen and prefers; reset it',
  options: {},
  subcommands: [
    { name: 'status', summary: 'what the advisor has learned: its phase, outcomes, errors and preference', options: { 'state-dir': stateDir, config } },
    { name: 'reset', summary: 'delete the learned model (a running govd starts its advisor over)', options: { yes: { ...yes, description: 'delete without asking', defaultText: 'ask on a terminal' }, 'state-dir': stateDir, config } },
  ],
} as const satisfies CommandSpec;

const configPath = { type: 'string', value: 'PATH', description: 'the config file' } as const satisfies OptionSpec;

export const configSpec = {
  name: 'config',
  summary: 'write, check and print the config file (and its JSON Schema)',
  options: {},
  subcommands: [
    {
      name: 'init',
      summary: 'write a commented config file with every default',
      options: {
        path: { ...configPath, description: 'where to write it', defaultText: '$GOV_CONFIG, else ~/.config/gov/config.toml' },
        force: { type: 'boolean', description: 'replace a file that exists (the old one is kept as <file>.<time>.bak)' },
      },
    },
    { name: 'validate', summary: 'check the config file and list every problem', options: { path: { ...configPath, defaultText: config.defaultText } } },
    { name: 'show', summary: 'print the config in effect, defaults filled in', options: { path: { ...configPath, defaultText: config.defaultText } } },
    { name: 'schema', summary: "print the config's JSON Schema, for editors", options: {} },
  ],
} as const satisfies CommandSpec;

export const completionSpec = {
  name: 'completion',
  summary: 'print a shell completion script for bash, zsh or fish',
  operands: 'bash|zsh|fish',
  operandChoices: ['bash', 'zsh', 'fish'],
  options: {},
  notes:
    'bash: add  source <(gov completion bash)  to ~/.bashrc. zsh: add  source <(gov completion zsh)  to ~/.zshrc after compinit. fish: gov completion fish > ~/.config/fish/completions/gov.fish',
} as const satisfies CommandSpec;

const root = { type: 'string', value: 'DIR', description: 'work on the system under DIR (an image, a test root): write and enable files there, start nothing' } as const satisfies OptionSpec;

export const serviceSpec = {
  name: 'service',
  summary: 'run govd as a systemd service: install, uninstall, status',
  options: {},
  subcommands: [
    {
      name: 'install',
      summary: 'write /etc/systemd/system/govd.service for the installed govd, enable and start it',
      options: {
        govd: { type: 'string', value: 'PATH', description: 'the govd program to run', defaultText: 'govd on PATH, else the one installed beside gov' },
        'dry-run': { type: 'boolean', description: 'print the unit and the commands, change nothing' },
        root,
      },
      notes: 'Also writes /etc/gov/config.toml (state in /var/lib/gov) unless it exists. Needs root and systemd as PID 1; without systemd it says what to do instead (in WSL2: [boot] systemd=true in /etc/wsl.conf, then wsl --shutdown).',
    },
    {
      name: 'uninstall',
      summary: 'stop and disable govd and remove its unit (the config and the state stay)',
      options: { 'dry-run': { type: 'boolean', description: 'print the commands, change nothing' }, root },
    },
    { name: 'status', summary: 'whether the unit is installed, enabled and running, and whether govd answers', options: { root } },
  ],
} as const satisfies CommandSpec;
