import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLearner, createNeuralAdvisor, formatModel } from '@gov/neural';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../test-daemon.js';

const gov = fileURLToPath(new URL('../../dist/gov.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gov-learn-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(gov)) throw new Error(`${gov} is missing: build it with "npx nx run @gov/cli:build"`);
});

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [gov, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: join(scratch, 'home'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gov learn (built program)', () => {
  it('reports, reads and resets the model in the state directory govd uses', async () => {
    const stateDir = join(scratch, 'state');
    expect(run(['learn', 'status', '--json'], { GOV_STATE_DIR: stateDir })).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ model: join(stateDir, 'neural-model.json'), exists: false, phase: 'observing', samples: 0, minSamples: 20 }, null, 2)}\n`,
      stderr: '',
    });

    const advisor = createNeuralAdvisor({ learner: createLearner({ seed: 3 }), now: () => new Date('2026-11-22T10:00:00.000Z') });
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, 'neural-model.json'), formatModel(advisor.toModelFile()));
    const status = run(['learn', 'status', '--json'], { GOV_STATE_DIR: stateDir });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({
      model: join(stateDir, 'neural-model.json'),
      exists: true,
      trusted: true,
      phase: 'observing',
      samples: 0,
      minSamples: 20,
      outcomes: 0,
      harmful: 0,
      expired: 0,
      verdicts: { allow: 0, veto: 0, shrink: 0, raise: 0 },
      recentError: null,
      lastAdvice: null,
      preference: null,
      bounds: { largestHarmless: 0, smallestHarmfulRaise: null },
      createdAt: '2026-11-22T10:00:00.000Z',
      updatedAt: '2026-11-22T10:00:00.000Z',
    });

    expect(run(['learn', 'reset'], { GOV_STATE_DIR: stateDir }).code).toBe(2);
    expect(readdirSync(stateDir)).toEqual(['neural-model.json']);
    // No govd listens where this config says: only the file is deleted.
    const port = await closedPort();
    const config = join(scratch, 'no-govd.toml');
    writeFileSync(config, `[daemon]\nlisten = "127.0.0.1:${port}"\n`);
    expect(run(['learn', 'reset', '--yes', '--json'], { GOV_STATE_DIR: stateDir, GOV_CONFIG: config })).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ model: join(stateDir, 'neural-model.json'), removed: true, govd: 'not-running', url: `http://127.0.0.1:${port}` }, null, 2)}\n`,
      stderr: '',
    });
    expect(readdirSync(stateDir)).toEqual([]);
  });
});
