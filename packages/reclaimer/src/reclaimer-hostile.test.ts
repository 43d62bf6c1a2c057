import { ExecError, type Exec } from '@gov/io';
import { parseLinuxMemory, type LinuxMemory } from '@gov/meminfo';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTally } from '../../../tools/test-support/tally.js';
import { ReclaimError } from './errors.js';
import { createLocalExecutor } from './local-executor.js';
import { createReclaimLock } from './lock.js';
import { createReclaimer } from './reclaimer.js';
import type { ReclaimExecutor, ReclaimRequest, ReclaimResult } from './types.js';
import { createWslExecutor } from './wsl-executor.js';

// The hostile-input suite, action part: whatever a request holds and however the executor, the
// programs it runs (sync, wsl.exe) or the memory readings misbehave, a reclaim resolves with
// every failure recorded in its step, or is refused as invalid before anything runs.

const tally = createTally('actions');
afterAll(() => tally.report());

const MEMORY = parseLinuxMemory('MemTotal: 16777216 kB\nMemFree: 1048576 kB\nMemAvailable: 8388608 kB\nCached: 4194304 kB\n');

/** Something an IO call may throw: errors with odd codes, and values that are no errors at all. */
const thrown = fc.oneof(
  fc.record({ code: fc.oneof(fc.constantFrom('EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EINVAL', 'EAGAIN', 'EIO', 'ENOSPC', 'EBUSY'), fc.string()), message: fc.string({ maxLength: 40 }) }).map(({ code, message }) => Object.assign(new Error(message), { code })),
  fc.constantFrom<unknown>(undefined, null, 'a string', 42, { weird: true }, new ReclaimError('GOV_RECLAIM_FAILED', 'inner'), new ReclaimError('GOV_RECLAIM_INVALID_CGROUP', 'inner cgroup'), Object.assign(new Error('circular'), { self: {} })),
);

/** How one IO call behaves: answers, throws, or never answers. */
type Behaviour = { kind: 'ok' } | { kind: 'throw'; error: unknown } | { kind: 'hang' } | { kind: 'garbage'; value: unknown };
const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.constant({ kind: 'ok' as const }),
  thrown.map((error) => ({ kind: 'throw' as const, error })),
  fc.constant({ kind: 'hang' as const }),
  fc.anything({ maxDepth: 2 }).map((value) => ({ kind: 'garbage' as const, value })),
);

function act<T>(how: Behaviour, value: () => T): Promise<T> {
  switch (how.kind) {
    case 'ok':
      return Promise.resolve(value());
    case 'throw':
      return Promise.reject(how.error);
    case 'hang':
      return new Promise<T>(() => undefined);
    case 'garbage':
      return Promise.resolve(how.value as T);
  }
}

/** An executor whose every call behaves as the next of `script` says. */
function scriptedExecutor(script: Behaviour[]): ReclaimExecutor {
  let call = 0;
  const next = () => script[call++ % Math.max(1, script.length)] ?? ({ kind: 'ok' } as Behaviour);
  return {
    kind: 'scripted',
    dryRun: false,
    readCgroupLayout: () => act(next(), () => ({ v2Memory: '/sys/fs/cgroup', v1Memory: null })),
    readCgroupStat: () => act(next(), () => 'file 734003200\nshmem 0\n'),
    describe: (action) => action.kind,
    run: () => act(next(), () => ({})),
  };
}

const validRequest: fc.Arbitrary<ReclaimRequest> = fc.oneof(
  fc.record({ method: fc.constantFrom('drop_caches' as const, 'full' as const), level: fc.constantFrom(1 as const, 2 as const, 3 as const), sync: fc.boolean() }),
  fc.record({ method: fc.constant('compact_memory' as const) }),
  fc.record({ method: fc.constant('cgroup_reclaim' as const), targetBytes: fc.integer({ min: 1024 * 1024, max: 64 * 1024 ** 3 }), cgroup: fc.constantFrom('docker/abc', 'system.slice/x.service') }, { requiredKeys: ['method'] }),
);

/** What every resolved reclaim must look like, whatever went wrong inside it. */
function assertWellFormed(result: ReclaimResult): void {
  expect(() => JSON.stringify(result)).not.toThrow();
  expect(Number.isFinite(result.freedBytes) && result.freedBytes >= 0).toBe(true);
  for (const step of result.steps) {
    expect(['ok', 'skipped', 'failed']).toContain(step.status);
    if (step.status === 'failed') expect([typeof step.error?.code, typeof step.error?.message]).toEqual(['string', 'string']);
  }
}

/** A reclaim either resolves well formed or is refused up front as invalid or busy. */
async function assertHandled(reclaim: () => Promise<ReclaimResult>): Promise<void> {
  try {
    assertWellFormed(await reclaim());
  } catch (error) {
    expect(error).toBeInstanceOf(ReclaimError);
    expect((error as ReclaimError).code).toMatch(/^GOV_RECLAIM_(INVALID_|BUSY$)/);
  }
}

describe('hostile reclaims', () => {
  it('any value as a request', async () => {
    const reclaimer = createReclaimer({ executor: scriptedExecutor([]), lock: createReclaimLock(), readMemory: async () => MEMORY });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), validRequest, fc.record({ method: fc.string(), level: fc.anything(), targetBytes: fc.anything(), cgroup: fc.string(), sync: fc.anything(), dryRun: fc.anything() }, { requiredKeys: [] })), (request) =>
        tally.check('reclaim: requests', () => assertHandled(() => reclaimer.reclaim(request as ReclaimRequest))),
      ),
      { numRuns: 400 },
    );
  });

  it('an executor and memory readings that throw, hang or answer garbage', async () => {
    await fc.assert(
      fc.asyncProperty(validRequest, fc.array(behaviour, { minLength: 1, maxLength: 6 }), behaviour, (request, script, memory) =>
        tally.check('reclaim: executor faults', () =>
          assertHandled(() =>
            createReclaimer({
              executor: scriptedExecutor(script),
              lock: createReclaimLock(),
              stepTimeoutMs: 20,
              readMemory: () => act<LinuxMemory>(memory.kind === 'hang' ? { kind: 'ok' } : memory, () => MEMORY),
            }).reclaim(request),
          ),
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('wsl.exe answering anything, failing to start, or never answering', async () => {
    const output = fc.string({ unit: 'binary', maxLength: 120 });
    const answer = fc.oneof(
      fc.record({ exitCode: fc.integer({ min: -1, max: 255 }), stdout: fc.oneof(output, fc.constantFrom('Permission denied', 'Read-only file system', 'WSL_E_DISTRO_NOT_FOUND', 'Invalid command line argument', 'No such file or directory', 'Resource temporarily unavailable', 'Invalid argument')), stderr: output }),
      fc.constantFrom('enoent', 'signal', 'hang', 'throw'),
    );
    await fc.assert(
      fc.asyncProperty(validRequest.filter((request) => request.method !== 'cgroup_reclaim' || request.cgroup === undefined), fc.array(answer, { minLength: 1, maxLength: 5 }), (request, answers) =>
        tally.check('exec: wsl.exe', () => {
          let call = 0;
          const exec: Exec = async () => {
            const next = answers[call++ % answers.length];
            if (next === 'enoent') throw new ExecError('spawn wsl.exe ENOENT', { file: 'wsl.exe', errno: 'ENOENT' });
            if (next === 'signal') throw new ExecError('killed', { file: 'wsl.exe', signal: 'SIGKILL' });
            if (next === 'throw') throw new Error('exec blew up');
            if (next === 'hang' || next === undefined) return new Promise(() => undefined);
            return next;
          };
          const executor = createWslExecutor({ distro: 'Ubuntu', exec, timeoutMs: 20 });
          return assertHandled(() => createReclaimer({ executor, lock: createReclaimLock(), stepTimeoutMs: 40, readMemory: async () => MEMORY }).reclaim(request));
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('sync exiting with anything, failing to start, or never ending; /proc writes failing', async () => {
    const syncAnswer = fc.oneof(fc.record({ exitCode: fc.integer({ min: -1, max: 255 }), stdout: fc.string({ maxLength: 40 }), stderr: fc.string({ maxLength: 40 }) }), fc.constantFrom('enoent', 'signal', 'hang'));
    await fc.assert(
      fc.asyncProperty(validRequest, syncAnswer, fc.option(thrown, { nil: null }), (request, answer, writeError) =>
        tally.check('exec: sync and /proc writes', () => {
          const exec: Exec = async () => {
            if (answer === 'enoent') throw new ExecError('spawn sync ENOENT', { file: 'sync', errno: 'ENOENT' });
            if (answer === 'signal') throw new ExecError('killed', { file: 'sync', signal: 'SIGTERM' });
            if (answer === 'hang') return new Promise(() => undefined);
            return answer;
          };
          const executor = createLocalExecutor({
            exec,
            syncTimeoutMs: 20,
            cgroupLayout: { v2Memory: '/sys/fs/cgroup', v1Memory: null },
            fs: {
              readFile: async () => 'file 734003200\nshmem 0\n',
              writeFile: async () => {
                if (writeError !== null) throw writeError;
              },
              realpath: async (path) => path,
            },
          });
          return assertHandled(() => createReclaimer({ executor, lock: createReclaimLock(), stepTimeoutMs: 40, readMemory: async () => MEMORY }).reclaim(request));
        }),
      ),
      { numRuns: 200 },
    );
  });
});
