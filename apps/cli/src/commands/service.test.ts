import { chmod, mkdir, mkdtemp, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseConfigToml } from '@gov/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderGovdUnit } from '../service/unit.js';
import { closedPort } from '../test-daemon.js';
import { createTestIo } from '../test-io.js';
import { createServiceCommand, type ServiceHost } from './service.js';

let dir: string;
let root: string;
let fakeBin: string;
let govdScript: string;
const log = () => join(dir, 'systemctl.log');

/** A `systemctl` on PATH that records its argv, one call a line, and answers is-enabled/is-active. */
async function writeFakeSystemctl(exitCode = 0) {
  await writeFile(
    join(fakeBin, 'systemctl'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> "${log()}"\ncase "$1" in is-enabled) echo enabled ;; is-active) echo active ;; esac\n[ ${exitCode} -eq 0 ] || echo "Failed to $1: Access denied" >&2\nexit ${exitCode}\n`,
  );
  await chmod(join(fakeBin, 'systemctl'), 0o755);
}

const calls = async () => (await readFile(log(), 'utf8').catch(() => '')).split('\n').filter(Boolean);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gov-service-'));
  root = join(dir, 'root');
  fakeBin = join(dir, 'bin');
  await mkdir(root);
  await mkdir(fakeBin);
  // govd as a global npm install lays it out: a bin link to the package's script.
  govdScript = join(dir, 'lib', 'node_modules', '@gov', 'daemon', 'bin', 'govd.js');
  await mkdir(join(govdScript, '..'), { recursive: true });
  await writeFile(govdScript, '#!/usr/bin/env node\n');
  await chmod(govdScript, 0o755);
  await symlink(govdScript, join(fakeBin, 'govd'));
  await writeFakeSystemctl();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function host(overrides: Partial<ServiceHost> = {}): Partial<ServiceHost> {
  return { root, systemdRunning: async () => true, pid1: async () => 'systemd', isWsl: async () => false, isRoot: true, nodePath: '/usr/bin/node', siblingGovd: join(dir, 'nowhere', 'govd.js'), ...overrides };
}

async function service(argv: string[], overrides: Partial<ServiceHost> = {}, env: Record<string, string> = {}) {
  const test = createTestIo({ env: { HOME: dir, PATH: `${fakeBin}${delimiter}/usr/bin${delimiter}/bin`, ...env } });
  const code = await createServiceCommand({ host: host(overrides) }).run({ argv, io: test.io });
  return { code, stdout: test.stdout(), stderr: test.stderr() };
}

describe('gov service install', () => {
  it('writes the unit for the govd on PATH (node and script by real path), a config with the state in /var/lib/gov, then reloads, enables and starts it', async () => {
    const result = await service(['install']);
    const script = await realpath(govdScript);
    expect(result).toEqual({
      code: 0,
      stdout: `Wrote ${root}/etc/systemd/system/govd.service: it runs /usr/bin/node ${script}.\nWrote ${root}/etc/gov/config.toml with the defaults; state in /var/lib/gov.\nEnabled and started govd.service. Check it with: gov service status, journalctl -u govd -f\n`,
      stderr: '',
    });
    const unit = await readFile(join(root, 'etc/systemd/system/govd.service'), 'utf8');
    expect(unit).toBe(renderGovdUnit({ program: '/usr/bin/node', args: [script] }));
    expect(unit).toContain(`\nExecStart=/usr/bin/node ${script} --config /etc/gov/config.toml\n`);
    expect(unit).toContain('\nStateDirectory=gov\n');
    expect((await stat(join(root, 'etc/systemd/system/govd.service'))).mode & 0o777).toBe(0o644);
    expect(parseConfigToml(await readFile(join(root, 'etc/gov/config.toml'), 'utf8')).daemon.state_dir).toBe('/var/lib/gov');
    expect(await calls()).toEqual(['daemon-reload', 'enable govd.service', 'restart govd.service']);
  });

  it('keeps a config that exists, and takes --govd over PATH', async () => {
    await mkdir(join(root, 'etc/gov'), { recursive: true });
    await writeFile(join(root, 'etc/gov/config.toml'), '[governor]\npolicy = "conservative"\n');
    const other = join(dir, 'other-govd.js');
    await writeFile(other, '#!/usr/bin/env node\n');
    const result = await service(['install', '--govd', other, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      unit: join(root, 'etc/systemd/system/govd.service'),
      config: join(root, 'etc/gov/config.toml'),
      configWritten: false,
      stateDir: '/var/lib/gov',
      execStart: ['/usr/bin/node', await realpath(other)],
      systemctl: [['daemon-reload'], ['enable', 'govd.service'], ['restart', 'govd.service']],
      dryRun: false,
    });
    expect(await readFile(join(root, 'etc/gov/config.toml'), 'utf8')).toBe('[governor]\npolicy = "conservative"\n');
  });

  it('finds the govd installed beside gov when none is on PATH', async () => {
    const result = await service(['install', '--dry-run', '--json'], { siblingGovd: govdScript }, { PATH: '/usr/bin' });
    expect(JSON.parse(result.stdout)).toMatchObject({ execStart: ['/usr/bin/node', await realpath(govdScript)], dryRun: true });
  });

  it('--dry-run prints the unit and the commands and changes nothing', async () => {
    const result = await service(['install', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `# ${root}/etc/systemd/system/govd.service would be:\n${renderGovdUnit({ program: '/usr/bin/node', args: [await realpath(govdScript)] })}\nwould write ${root}/etc/gov/config.toml (daemon.state_dir = "/var/lib/gov")\nwould run:\n  systemctl daemon-reload\n  systemctl enable govd.service\n  systemctl restart govd.service\n`,
    );
    expect(await calls()).toEqual([]);
    await expect(stat(join(root, 'etc'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('in WSL without systemd, says exactly how to turn it on, and changes nothing', async () => {
    const result = await service(['install'], { systemdRunning: async () => false, pid1: async () => 'init', isWsl: async () => true });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'gov: systemd is not running in this WSL distribution (PID 1 is "init"). To turn it on:',
        '  1. put these lines in /etc/wsl.conf (sudoedit /etc/wsl.conf):',
        '       [boot]',
        '       systemd=true',
        '  2. from Windows (PowerShell or cmd), restart WSL:  wsl --shutdown',
        '  3. open the distribution again and run:  sudo env "PATH=$PATH" gov service install',
        'This needs WSL 0.67.6 or later ("wsl --version" shows it).',
        '',
      ].join('\n'),
    });
    expect(await calls()).toEqual([]);
    await expect(stat(join(root, 'etc'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('elsewhere without systemd, gives the command to run govd under the init system there is', async () => {
    const result = await service(['install'], { systemdRunning: async () => false, pid1: async () => 'tini' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `gov: systemd is not PID 1 here (PID 1 is "tini"), so there is no systemd service to install.\nRun govd under the init system or supervisor this machine has, as root, with:\n  /usr/bin/node ${await realpath(govdScript)} --config /etc/gov/config.toml\nand GOV_STATE_DIR=/var/lib/gov in its environment; or write the files into an image with\n  gov service install --root DIR\n`,
    );
  });

  it('refuses without root, and without a govd to run', async () => {
    await expect(service(['install'], { isRoot: false })).rejects.toMatchObject({ code: 'GOV_SERVICE_NEEDS_ROOT', exitCode: 1 });
    await expect(service(['install'], {}, { PATH: '/usr/bin' })).rejects.toMatchObject({ code: 'GOV_SERVICE_NO_GOVD', message: 'govd is not installed (not on PATH, nor beside gov): npm i -g @gov/daemon, or name it with --govd PATH' });
    await expect(service(['install', '--govd', join(dir, 'missing')])).rejects.toMatchObject({ code: 'GOV_SERVICE_NO_GOVD', exitCode: 2 });
  });

  it('stops at the first systemctl that fails, with its own words', async () => {
    await writeFakeSystemctl(1);
    await expect(service(['install'])).rejects.toMatchObject({ code: 'GOV_SERVICE_SYSTEMCTL', message: 'systemctl daemon-reload failed (exit 1): Failed to daemon-reload: Access denied' });
    expect(await calls()).toEqual(['daemon-reload']);
  });

  it('--root DIR writes there and enables offline, whether or not systemd runs', async () => {
    const result = await service(['install', '--root', join(dir, 'image')], { systemdRunning: async () => false, isRoot: false });
    expect(result.code).toBe(0);
    expect(await calls()).toEqual([`--root=${join(dir, 'image')} enable govd.service`]);
    expect(await readFile(join(dir, 'image/etc/systemd/system/govd.service'), 'utf8')).toContain('ExecStart=/usr/bin/node ');
  });
});

describe('gov service uninstall and status', () => {
  it('status reports the unit, what it runs, systemd, and whether govd answers', async () => {
    await service(['install']);
    const port = await closedPort();
    await writeFile(join(root, 'etc/gov/config.toml'), `[daemon]\nlisten = "127.0.0.1:${port}"\n`);
    const result = await service(['status', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({
      unit: join(root, 'etc/systemd/system/govd.service'),
      installed: true,
      execStart: `/usr/bin/node ${await realpath(govdScript)} --config /etc/gov/config.toml`,
      systemd: true,
      enabled: 'enabled',
      active: 'active',
      govd: { url: `http://127.0.0.1:${port}`, answers: false, version: null, policy: null },
    });
    expect(result.code).toBe(0);
    expect((await calls()).slice(3)).toEqual(['is-enabled govd.service', 'is-active govd.service']);
  });

  it('uninstall stops, disables and removes the unit, keeps the config, and is a no-op when nothing is installed', async () => {
    await service(['install']);
    const result = await service(['uninstall']);
    expect(result).toEqual({
      code: 0,
      stdout: `Stopped, disabled and removed govd.service. ${root}/etc/gov/config.toml and /var/lib/gov are kept; remove them by hand if you want them gone.\n`,
      stderr: '',
    });
    expect((await calls()).slice(3)).toEqual(['disable --now govd.service', 'daemon-reload']);
    await expect(stat(join(root, 'etc/systemd/system/govd.service'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(join(root, 'etc/gov/config.toml'))).isFile()).toBe(true);
    expect(await service(['uninstall'])).toEqual({ code: 0, stdout: `govd.service is not installed (no ${root}/etc/systemd/system/govd.service).\n`, stderr: '' });
  });
});
