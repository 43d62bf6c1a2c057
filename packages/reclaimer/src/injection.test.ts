import type { Exec } from '@gov/io';
import { parseLinuxMemory } from '@gov/meminfo';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReclaimError } from './errors.js';
import { createLocalExecutor, type ReclaimFs } from './local-executor.js';
import { createReclaimLock } from './lock.js';
import { createReclaimer } from './reclaimer.js';
import type { ReclaimExecutor, ReclaimRequest } from './types.js';
import { MAX_TARGET_BYTES, MIN_TARGET_BYTES } from './catalogue.js';
import { validateCgroupPath } from './validate.js';
import { createWslExecutor } from './wsl-executor.js';

const memory = parseLinuxMemory('MemTotal: 16777216 kB\nMemFree: 1048576 kB\nCached: 2097152 kB\nShmem: 0 kB\n');

// Inputs as config files, HTTP bodies and command lines could send them: mostly hostile.
const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom('$(reboot)', '`id`', '1; rm -rf /', '1\n2', '../..', '/etc/passwd', '512M', '0x100000', '1e9', ' 1048576', '1048576 ', '-1'),
);
const hostileValue = fc.oneof(hostileString, fc.double(), fc.integer(), fc.anything());
const anyRequest = fc.record(
  {
    method: fc.oneof(fc.constantFrom('drop_caches', 'compact_memory', 'cgroup_reclaim', 'full'), hostileString),
    level: fc.oneof(fc.constantFrom(1, 2, 3), fc.anything()),
    sync: fc.oneof(fc.boolean(), fc.anything()),
    targetBytes: fc.oneof(fc.integer({ min: MIN_TARGET_BYTES, max: MAX_TARGET_BYTES }), fc.maxSafeInteger(), hostileValue),
    cgroup: fc.oneof(
      fc.constantFrom('docker/0123abcd', 'system.slice/app.service'),
      fc.array(fc.oneof(fc.constantFrom('..', '.', 'docker', ''), hostileString), { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/')),
      fc.anything(),
    ),
    dryRun: fc.oneof(fc.boolean(), fc.anything()),
  },
  { requiredKeys: [] },
);
// Requests that are valid, so the executors really run…
const validRequest = fc.oneof(
  fc.record({ method: fc.constantFrom('drop_caches', 'full'), level: fc.constantFrom(1, 2, 3), sync: fc.boolean() }, { requiredKeys: ['method'] }),
  fc.constant({ method: 'compact_memory' }),
  fc.record(
    { method: fc.constant('cgroup_reclaim'), targetBytes: fc.integer({ min: MIN_TARGET_BYTES, max: MAX_TARGET_BYTES }), cgroup: fc.constantFrom('docker/0123abcd', 'system.slice/app.service', 'a/b/c') },
    { requiredKeys: ['method'] },
  ),
);
// …and valid requests with one field replaced by something hostile.
const requestArbitrary = fc.oneof(
  validRequest,
  anyRequest,
  fc
    .tuple(validRequest, fc.constantFrom('method', 'level', 'sync', 'targetBytes', 'cgroup', 'dryRun'), hostileValue)
    .map(([request, key, value]) => ({ ...request, [key]: value })),
);

const isDigitsInRange = (text: string) => /^[1-9][0-9]*$/.test(text) && Number(text) >= MIN_TARGET_BYTES && Number(text) <= MAX_TARGET_BYTES;

async function attempt(executor: ReclaimExecutor, request: unknown) {
  const reclaimer = createReclaimer({ executor, readMemory: async () => memory, lock: createReclaimLock(), now: () => 0 });
  try {
    return { result: await reclaimer.reclaim(request as ReclaimRequest) };
  } catch (error) {
    expect(isReclaimError(error) && /^GOV_RECLAIM_INVALID_/.test(error.code)).toBe(true);
    return { refused: error };
  }
}

describe('no generated input reaches an argv or a file except as validated digits', () => {
  it('through wsl.exe: every argv is a fixed literal, plus at most one byte count', async () => {
    let accepted = 0;
    const fixed = new Set([
      '-d', 'Ubuntu', '-u', 'root', '-e', 'sync', 'sh', '-c', 'cat', 'gov', '/proc/self/mountinfo', '/sys/fs/cgroup/cgroup.controllers',
      'echo 1 > /proc/sys/vm/drop_caches', 'echo 2 > /proc/sys/vm/drop_caches', 'echo 3 > /proc/sys/vm/drop_caches',
      'echo 1 > /proc/sys/vm/compact_memory', 'echo "$1 swappiness=0" > /sys/fs/cgroup/memory.reclaim', 'echo "$1" > /sys/fs/cgroup/memory.reclaim',
    ]);
    await fc.assert(
      fc.asyncProperty(requestArbitrary, fc.boolean(), async (request, oldKernel) => {
        const argvs: string[][] = [];
        const runProgram: Exec = async (file, args) => {
          expect(file).toBe('wsl.exe');
          argvs.push([...args]);
          if (args.includes('/proc/self/mountinfo')) return { exitCode: 0, stdout: '35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', stderr: '' };
          if (args.includes('/sys/fs/cgroup/cgroup.controllers')) return { exitCode: 0, stdout: 'cpu memory\n', stderr: '' };
          if (oldKernel && args.some((arg) => arg.includes('swappiness'))) return { exitCode: 1, stdout: '', stderr: 'sh: 1: echo: echo: I/O error\n' };
          return { exitCode: 0, stdout: '', stderr: '' };
        };
        const outcome = await attempt(createWslExecutor({ distro: 'Ubuntu', exec: runProgram }), request);
        if ('refused' in outcome) expect(argvs).toEqual([]);
        else accepted += 1;
        for (const argv of argvs) {
          const variable = argv.filter((arg) => !fixed.has(arg));
          expect(variable.length).toBeLessThanOrEqual(1);
          for (const arg of variable) {
            expect(isDigitsInRange(arg)).toBe(true);
            // The byte count is the last argument, after `gov` ($0), never inside the script.
            expect(argv.slice(-2)).toEqual(['gov', arg]);
          }
        }
      }),
      { numRuns: 400 },
    );
    // The generators must reach the executor often enough for the property to mean something.
    expect(accepted).toBeGreaterThan(20);
  });

  it('through direct writes: fixed files and validated cgroups, holding a level or a byte count', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(requestArbitrary, fc.constantFrom('v1', 'v2'), async (request, version) => {
        const writes: [string, string][] = [];
        const root = version === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory';
        const files: Record<string, string> = {
          '/proc/self/mountinfo': version === 'v2' ? `35 24 0:30 / ${root} rw - cgroup2 cgroup2 rw\n` : `35 31 0:32 / ${root} rw - cgroup cgroup rw,memory\n`,
          [`${root}/cgroup.controllers`]: 'cpu memory\n',
        };
        const fs: ReclaimFs = {
          async readFile(path) {
            if (path.endsWith('/memory.stat')) return 'file 8388608\nshmem 0\n';
            const text = files[path];
            if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
            return text;
          },
          async writeFile(path, data) {
            writes.push([path, data]);
          },
          async realpath(path) {
            return path;
          },
        };
        let syncs = 0;
        const outcome = await attempt(createLocalExecutor({ fs, exec: async () => ((syncs += 1), { exitCode: 0, stdout: '', stderr: '' }) }), request);
        if ('refused' in outcome) {
          expect([writes, syncs]).toEqual([[], 0]);
          return;
        }
        accepted += 1;
        for (const [path, data] of writes) {
          if (path === '/proc/sys/vm/drop_caches') expect(['1', '2', '3']).toContain(data);
          else if (path === '/proc/sys/vm/compact_memory') expect(data).toBe('1');
          else {
            const match = /^(.*)\/(memory\.reclaim|memory\.force_empty)$/.exec(path);
            expect(match).not.toBeNull();
            const [, directory = '', file] = match ?? [];
            expect(directory === root || directory.startsWith(`${root}/`)).toBe(true);
            if (directory !== root) expect(validateCgroupPath(directory.slice(root.length + 1))).toBe(directory.slice(root.length + 1));
            if (file === 'memory.force_empty') expect(data).toBe('0');
            else {
              const [digits = '', ...rest] = data.split(' ');
              expect(isDigitsInRange(digits)).toBe(true);
              expect(rest.length === 0 || (rest.length === 1 && rest[0] === 'swappiness=0')).toBe(true);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(20);
  });
});
