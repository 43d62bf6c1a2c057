import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithDocker, dockerCli, removeContainers, startContainer } from '../../../tools/test-support/docker.js';
import { freeColumns, parseFreeOutput } from '../test/free-output.js';
import { readCgroupMemory } from './cgroup.js';
import { parseMemoryStat } from './cgroup-files.js';
import { parseLinuxMemory } from './meminfo.js';
import { readLinuxMemory } from './sources/linux.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gov-free-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The real procps-ng `free -b` reading `file` as its /proc/meminfo: a private mount namespace
 * with the file bind-mounted over /proc/meminfo, so nothing else on the machine sees it.
 */
function freeOn(file: string): string {
  return execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /proc/meminfo && exec free -b', 'sh', file], {
    encoding: 'utf8',
  });
}

describe('parseLinuxMemory against the real free -b', () => {
  const names = readdirSync(fixtures).filter((name) => name.endsWith('.meminfo'));

  it.each(names)('%s', (name) => {
    const output = freeOn(join(fixtures, name));
    expect(freeColumns(parseLinuxMemory(readFileSync(join(fixtures, name), 'utf8')))).toEqual(parseFreeOutput(output));
    // The recorded output the unit tests use is what free prints today.
    expect(output).toBe(readFileSync(join(fixtures, name.replace(/\.meminfo$/, '.free-b')), 'utf8'));
  });

  it("this machine's /proc/meminfo, frozen at one instant so free and gov read the same text", () => {
    const text = readFileSync('/proc/meminfo', 'utf8');
    const copy = join(scratch, 'meminfo');
    writeFileSync(copy, text);
    expect(freeColumns(parseLinuxMemory(text))).toEqual(parseFreeOutput(freeOn(copy)));
  });

  it('readLinuxMemory agrees with a live free -b on what does not move', async () => {
    const live = parseFreeOutput(execFileSync('free', ['-b'], { encoding: 'utf8' }));
    const memory = await readLinuxMemory();
    expect([memory.total, memory.swapTotal]).toEqual([live.total, live.swapTotal]);
    expect(memory.used + memory.available).toBe(memory.total);
  });
});

const v1Root = '/sys/fs/cgroup/memory';

describe('readCgroupMemory on the real cgroup v1 hierarchy', () => {
  it('reads the memory controller root: unlimited, every memory.stat counter', async () => {
    const memory = await readCgroupMemory(v1Root);
    expect([memory.version, memory.limit, memory.pressure, memory.usage > 0]).toEqual([1, null, null, true]);
    expect(Object.keys(memory.stat)).toEqual(Object.keys(parseMemoryStat(readFileSync(`${v1Root}/memory.stat`, 'utf8'))));
  });
});

describeWithDocker('readCgroupMemory on a real container', () => {
  const name = `gov-meminfo-cgroup-${process.pid}`;
  afterAll(() => removeContainers(name));

  it('reads its limit exactly and its usage and counters', async () => {
    const id = startContainer({ name, command: ['sleep', '300'], extraArgs: ['--memory', '64m'] });
    const driver = dockerCli(['info', '--format', '{{.CgroupDriver}} {{.CgroupVersion}}']);
    const dir = driver.endsWith(' 2') ? `/sys/fs/cgroup/system.slice/docker-${id}.scope` : `${v1Root}/docker/${id}`;
    const memory = await readCgroupMemory(dir);
    expect([memory.limit, memory.usage > 0, memory.version]).toEqual([64 * 1024 * 1024, true, driver.endsWith(' 2') ? 2 : 1]);
    expect(Object.keys(memory.stat)).toEqual(Object.keys(parseMemoryStat(readFileSync(`${dir}/memory.stat`, 'utf8'))));
  });
});
