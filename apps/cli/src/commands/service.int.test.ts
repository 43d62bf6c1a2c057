import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const gov = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));
const govd = fileURLToPath(new URL('../../../daemon/bin/govd.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gov-service-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** systemctl and systemd-analyze run offline (no systemd as PID 1 needed); GOV_REQUIRE_TOOLS=1 makes them required. */
function hasSystemdTools(): boolean {
  const present = ['systemctl', 'systemd-analyze'].every((tool) => spawnSync(tool, ['--version']).status === 0);
  if (!present && process.env['GOV_REQUIRE_TOOLS'] === '1') throw new Error('systemctl and systemd-analyze are missing: apt-get install systemd');
  return present;
}

beforeAll(() => {
  if (!existsSync(gov)) throw new Error(`${gov} is missing: build it with "npx nx run @gov/cli:build"`);
});

function run(args: string[]) {
  const result = spawnSync(process.execPath, [gov, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gov service on a temporary root, with the real systemctl and systemd-analyze', () => {
  it('installs a unit systemd-analyze verifies, enables it as systemctl does, reports it, and removes it', () => {
    if (!hasSystemdTools()) return;
    const root = join(scratch, 'root');
    const unit = join(root, 'etc/systemd/system/govd.service');
    expect(run(['service', 'install', '--root', root, '--govd', govd]).code).toBe(0);
    expect(readFileSync(unit, 'utf8')).toContain(`\nExecStart=${process.execPath} ${govd} --config /etc/gov/config.toml\n`);
    // systemctl --root enables exactly as it would on the live system: the wants/ link.
    expect(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/govd.service'))).toBe('/etc/systemd/system/govd.service');
    // Every key known, the program and its script present and executable.
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect([verify.status, verify.stderr]).toEqual([0, '']);

    const status = run(['service', 'status', '--root', root, '--json']);
    expect([status.code, JSON.parse(status.stdout)]).toEqual([0, { unit, installed: true, execStart: `${process.execPath} ${govd} --config /etc/gov/config.toml`, systemd: true, enabled: 'enabled', active: null, govd: null }]);

    expect(run(['service', 'uninstall', '--root', root]).code).toBe(0);
    expect(existsSync(unit)).toBe(false);
    expect(existsSync(join(root, 'etc/systemd/system/multi-user.target.wants/govd.service'))).toBe(false);
    const gone = spawnSync('systemctl', [`--root=${root}`, 'is-enabled', 'govd.service'], { encoding: 'utf8' });
    expect([gone.status, gone.stderr.trim()]).toEqual([1, 'Failed to get unit file state for govd.service: No such file or directory']);
  });
});
