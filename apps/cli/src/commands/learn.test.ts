import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLearner, createNeuralAdvisor, formatModel } from '@gov/neural';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../main.js';
import { closedPort, writeDaemonConfig } from '../test-daemon.js';
import { createTestIo } from '../test-io.js';
import { createLearnCommand } from './learn.js';

const GIB = 1024 ** 3;
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function snapshot(minutes: number, free: number) {
  return {
    at: at(minutes).toISOString(),
    linux: { total: 16 * GIB, free, used: 6 * GIB, available: 10 * GIB, reclaimable: 6 * GIB },
    pressure: { some: { avg10: 0 } },
    vmstat: { workingsetRefaultFile: 100, workingsetRefaultAnon: 0, oomKill: 0 },
    host: null,
  };
}

/** A model that has measured three actions, one of them followed by `gov feedback slow`. */
function trainedModel(): string {
  const advisor = createNeuralAdvisor({ learner: createLearner({ seed: 1 }), now: () => at(30) });
  for (let i = 0; i < 3; i += 1) {
    advisor.observe(snapshot(i * 6, 2 * GIB), at(i * 6));
    advisor.advise({ decision: { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: GIB, reason: 'test' }, snapshot: snapshot(i * 6, 2 * GIB), now: at(i * 6), lastActionAt: null, runningContainers: 0 });
    advisor.recordAction({ at: at(i * 6), decision: { kind: 'reclaim', policy: 'dynamic', method: 'cgroup_reclaim', targetBytes: GIB, reason: 'test' }, targetBytes: GIB, freedBytes: GIB });
    if (i === 1) advisor.recordFeedback('slow', at(i * 6 + 1));
    advisor.observe(snapshot(i * 6 + 5, 3 * GIB), at(i * 6 + 5));
  }
  return formatModel(advisor.toModelFile());
}

describe('gov learn', () => {
  let dir: string;
  let home: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-learn-'));
    home = join(dir, 'home');
    await mkdir(home);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says there is no model yet, where it will be, and that the policy decides alone', async () => {
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['learn', 'status'], io)).toBe(0);
    expect(stdout()).toBe(`No model yet at ${home}/.local/state/gov/neural-model.json.\ngovd creates it after the first action it can measure; until 20 outcomes are learned the configured policy decides alone.\n`);
  });

  it('finds the state directory the config names, as govd does', async () => {
    await writeFile(join(dir, 'config.toml'), '[daemon]\nstate_dir = "~/gov-state"\n');
    const { io, stdout } = createTestIo({ env: { HOME: home, GOV_CONFIG: join(dir, 'config.toml') } });
    expect(await runMain(['learn', 'status', '--json'], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual({ model: `${home}/gov-state/neural-model.json`, exists: false, phase: 'observing', samples: 0, minSamples: 20 });
  });

  it('shows samples, recent error, verdicts and what the model prefers', async () => {
    const stateDir = join(dir, 'state');
    await mkdir(stateDir);
    await writeFile(join(stateDir, 'neural-model.json'), trainedModel());
    const human = createTestIo({ env: { HOME: home } });
    expect(await runMain(['learn', 'status', '--state-dir', stateDir], human.io)).toBe(0);
    const lines = human.stdout().split('\n');
    expect(lines.slice(0, 3)).toEqual([`model         ${stateDir}/neural-model.json`, 'phase         observing: 3 of 20 outcomes learned; the policy decides alone until then', 'outcomes      3 measured, 1 harmful, 0 not measured in time']);
    expect(lines[3]).toMatch(/^recent error {2}kept bytes off by [\d.]+ (MiB|GiB|KiB) on average; harm called right \d+% \(Brier \d\.\d{3}\) over the last 3$/);
    expect(lines.slice(4)).toEqual([
      'verdicts      allow 3, veto 0, shrink 0, raise 0',
      'explores      up to 12.5% of RAM, twice the largest reclaim measured harmless (6.3%)',
      'last advice   2026-11-22T10:12:00.000Z allow: learning: 2 of 20 outcomes seen, the policy decides',
      expect.stringMatching(/^prefers {7}(reclaim about [\d.]+ (MiB|GiB) now \(keeps ~[\d.]+ (MiB|GiB) free, harm \d+%\)|wait: reclaiming now risks harm \(\d+%\)) \(as of 2026-11-22T10:17:00.000Z\)$/),
      'updated       2026-11-22T10:30:00.000Z (created 2026-11-22T10:30:00.000Z)',
      '',
    ]);

    const json = createTestIo({ env: { HOME: home, GOV_STATE_DIR: stateDir } });
    expect(await runMain(['learn', 'status', '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ model: `${stateDir}/neural-model.json`, exists: true, trusted: true, phase: 'observing', samples: 3, minSamples: 20, outcomes: 3, harmful: 1, expired: 0, verdicts: { allow: 3, veto: 0, shrink: 0 }, recentError: { outcomes: 3 } });
  });

  it('reports a model it cannot trust, with exit code 1, and leaves the file alone', async () => {
    await writeFile(join(dir, 'neural-model.json'), '{"format":"gov-neural-model","version":7,"featureSchema":{"id":"x","version":1,"names":[]}}');
    const { io, stdout } = createTestIo({ env: { HOME: home } });
    expect(await runMain(['learn', 'status', '--state-dir', dir, '--json'], io)).toBe(1);
    expect(JSON.parse(stdout())).toEqual({ model: `${dir}/neural-model.json`, exists: true, trusted: false, problem: 'model file version 7 is not 3' });
    expect(await readFile(join(dir, 'neural-model.json'), 'utf8')).toContain('"version":7');
  });

  it('resets with --yes, asks on a terminal, and refuses without either', async () => {
    const path = join(dir, 'neural-model.json');
    await writeFile(path, trainedModel());
    const port = await closedPort();
    await writeDaemonConfig(home, dir, port);

    const refused = createTestIo({ env: { HOME: home } });
    expect(await runMain(['learn', 'reset', '--state-dir', dir], refused.io)).toBe(2);
    expect(refused.stderr()).toBe(`gov: refusing to delete the learned model without --yes (no terminal to ask on)\nusage: gov learn reset [--yes] [--state-dir PATH] [--config PATH] [--json]\n`);

    const declined = createTestIo({ env: { HOME: home }, isTTY: true, answer: false });
    expect(await runMain(['learn', 'reset', '--state-dir', dir], declined.io)).toBe(1);
    expect(declined.questions).toEqual([`Delete the learned model at ${path}? The advisor goes back to observing.`]);
    expect(await readFile(path, 'utf8')).toContain('gov-neural-model');

    const confirmed = createTestIo({ env: { HOME: home }, isTTY: true, answer: true });
    expect(await runMain(['learn', 'reset', '--state-dir', dir], confirmed.io)).toBe(0);
    expect(confirmed.stdout()).toBe(`Deleted ${path}.\nNo govd answered at http://127.0.0.1:${port}; it starts from scratch when it next starts.\n`);

    const again = createTestIo({ env: { HOME: home } });
    expect(await runMain(['learn', 'reset', '--state-dir', dir, '--yes', '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.stdout())).toEqual({ model: path, removed: false, govd: 'not-running', url: `http://127.0.0.1:${port}` });
  });

  it('asks a running govd to start over too, with the token from the state directory', async () => {
    await writeDaemonConfig(home, dir, 7979);
    await writeFile(join(dir, 'token'), 'f00d\n');
    const requests: { url: string; init: RequestInit | undefined }[] = [];
    const answer = (status: number, body: unknown) =>
      createLearnCommand({
        fetch: async (url, init) => {
          requests.push({ url: String(url), init });
          return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
        },
      });
    const reset = createTestIo({ env: { HOME: home } });
    expect(await answer(200, { reset: true, model: join(dir, 'neural-model.json'), removed: true }).run({ argv: ['reset', '--yes'], io: reset.io })).toBe(0);
    expect(reset.stdout()).toBe(`Deleted ${join(dir, 'neural-model.json')}.\ngovd at http://127.0.0.1:7979 started its advisor over.\n`);
    expect(requests.map((request) => [request.url, request.init?.method, (request.init?.headers as Record<string, string>)['authorization']])).toEqual([['http://127.0.0.1:7979/api/learn/reset', 'POST', 'Bearer f00d']]);

    const without = createTestIo({ env: { HOME: home } });
    expect(await answer(409, { error: { code: 'GOV_HTTP_NO_ADVISOR', message: 'govd runs without the learned advisor' } }).run({ argv: ['reset', '--yes', '--json'], io: without.io })).toBe(0);
    expect(JSON.parse(without.stdout())).toEqual({ model: join(dir, 'neural-model.json'), removed: false, govd: 'no-advisor', url: 'http://127.0.0.1:7979' });
  });

  it.each([
    [['learn'], 'gov: say what to do: status or reset\nusage: gov learn status|reset [options]\n'],
    [['learn', 'forget'], 'gov: unknown learn command "forget"; use status or reset\nusage: gov learn status|reset [options]\n'],
    [['learn', 'status', 'extra'], 'gov: "gov learn status" takes no arguments (got extra)\nusage: gov learn status [--state-dir PATH] [--config PATH] [--json]\n'],
    [['learn', 'status', '--yes'], 'gov: --yes does not apply to "gov learn status"\nusage: gov learn status [--state-dir PATH] [--config PATH] [--json]\n'],
  ])('%j is a usage error', async (argv, message) => {
    const { io, stderr } = createTestIo({ env: { HOME: home } });
    expect(await runMain(argv, io)).toBe(2);
    expect(stderr()).toBe(message);
  });

  it('fails as a config error when the named config is missing', async () => {
    const { io, stderr } = createTestIo({ env: { HOME: home, GOV_CONFIG: join(dir, 'absent.toml') } });
    expect(await runMain(['learn', 'status'], io)).toBe(2);
    expect(stderr()).toBe(`gov: config file ${join(dir, 'absent.toml')} does not exist ($GOV_CONFIG)\n`);
  });
});
