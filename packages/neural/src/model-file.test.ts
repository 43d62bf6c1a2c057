import * as fs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLearner } from './learner.js';
import { createFileModelStore, createMemoryModelStore, emptyStats, fileStamp, formatModel, loadModel, parseModel, type ModelFile } from './model-file.js';
import { FEATURE_NAMES } from './features.js';

function buildModel(): ModelFile {
  const learner = createLearner({ seed: 9 });
  for (let i = 0; i < 30; i += 1) learner.learn(FEATURE_NAMES.map((_, j) => Math.sin(i + j) * 10), { keptShare: (i % 7) / 20, harm: i % 3 === 0 });
  return {
    format: 'gov-neural-model',
    version: 3,
    featureSchema: { id: 'gov.neural.features', version: 3, names: [...FEATURE_NAMES] },
    createdAt: '2026-11-22T01:00:00.000Z',
    updatedAt: '2026-11-22T02:00:00.000Z',
    learner: learner.toJSON(),
    stats: { ...emptyStats(), outcomes: 30, harmful: 10, bounds: { largestHarmless: 0.125, smallestHarmfulRaise: 0.5 } },
  };
}

const NOW = new Date('2026-11-22T03:04:05.678Z');

describe('model files', () => {
  it('round-trips exactly, and the learner continues with identical weights', () => {
    const model = buildModel();
    const parsed = parseModel(formatModel(model));
    expect(parsed).toEqual(model);
    const features = FEATURE_NAMES.map((_, i) => i * 3);
    expect(createLearner({ state: parsed.learner }).predict(features)).toEqual(createLearner({ state: model.learner }).predict(features));
  });

  it.each([
    ['garbled JSON', '{"format": "gov-neural-mod', /^model file is not JSON: /],
    ['another format', JSON.stringify({ format: 'something-else', version: 1, featureSchema: { id: 'x', version: 1, names: [] } }), /^not a gov-neural-model file$/],
    ['a newer version', JSON.stringify({ ...buildModel(), version: 4 }), /^model file version 4 is not 3$/],
    ['an older version', JSON.stringify({ ...buildModel(), version: 2 }), /^model file version 2 is not 3$/],
    ['another feature schema', JSON.stringify({ ...buildModel(), featureSchema: { id: 'gov.neural.features', version: 0, names: ['hour'] } }), /^model was trained on feature schema gov.neural.features v0, this is gov.neural.features v3$/],
    ['a non-finite weight', formatModel(buildModel()).replace(/"b2": \[\n\s+[-\d.e]+/, '"b2": [\n "NaN"'), /^model file is invalid: /],
    ['weights of another shape', JSON.stringify({ ...buildModel(), learner: { ...buildModel().learner, network: { ...buildModel().learner.network, b2: [0] } } }), /^model weights do not fit the feature schema$/],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseModel(text)).toThrow(expect.objectContaining({ name: 'NeuralModelError', code: 'GOV_NEURAL_MODEL_INVALID', message: expect.stringMatching(message) }));
  });

  it('sets aside a file from another schema instead of trusting it', async () => {
    const foreign = JSON.stringify({ ...buildModel(), featureSchema: { id: 'other', version: 4, names: [] } });
    const store = createMemoryModelStore(foreign, 'state/neural-model.json');
    expect(await loadModel(store, NOW)).toEqual({
      status: 'set-aside',
      model: null,
      setAsideTo: 'state/neural-model.json.rejected-2026-11-22T03-04-05Z',
      problem: 'model was trained on feature schema other v4, this is gov.neural.features v3',
    });
    expect([...store.files]).toEqual([['state/neural-model.json.rejected-2026-11-22T03-04-05Z', foreign]]);
  });

  it('loads a good file and reports a missing one', async () => {
    const model = buildModel();
    expect(await loadModel(createMemoryModelStore(formatModel(model)), NOW)).toEqual({ status: 'loaded', model });
    expect(await loadModel(createMemoryModelStore(), NOW)).toEqual({ status: 'missing', model: null });
  });

  it('stamps set-aside files with a filesystem-safe time', () => {
    expect(fileStamp(NOW)).toBe('2026-11-22T03-04-05Z');
  });
});

describe('createFileModelStore on a real directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gov-neural-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically (mode 0600, no temporary left), reads back, sets aside and removes', async () => {
    const path = join(dir, 'state', 'neural-model.json');
    const store = createFileModelStore({ path, fs });
    expect(await store.read()).toBeNull();
    const text = formatModel(buildModel());
    await store.write(text);
    await store.write(text);
    expect(await readdir(join(dir, 'state'))).toEqual(['neural-model.json']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await store.read()).toBe(text);
    expect(await loadModel(store, NOW)).toEqual({ status: 'loaded', model: buildModel() });

    await writeFile(path, '{"torn');
    const loaded = await loadModel(store, NOW);
    expect(loaded.status).toBe('set-aside');
    expect(await readdir(join(dir, 'state'))).toEqual(['neural-model.json.rejected-2026-11-22T03-04-05Z']);
    expect(await readFile(join(dir, 'state', 'neural-model.json.rejected-2026-11-22T03-04-05Z'), 'utf8')).toBe('{"torn');

    await store.write(text);
    expect(await store.remove()).toBe(true);
    expect(await store.remove()).toBe(false);
  });

  it('keeps only the newest three set-aside models, however often a model is rejected', async () => {
    const path = join(dir, 'neural-model.json');
    const store = createFileModelStore({ path, fs });
    for (let day = 1; day <= 6; day++) {
      await writeFile(path, `{"garbled ${day}`);
      expect((await loadModel(store, new Date(Date.UTC(2026, 10, day)))).status).toBe('set-aside');
    }
    expect(await readdir(dir)).toEqual([4, 5, 6].map((day) => `neural-model.json.rejected-2026-11-0${day}T00-00-00Z`));
    expect(await readFile(join(dir, 'neural-model.json.rejected-2026-11-06T00-00-00Z'), 'utf8')).toBe('{"garbled 6');
  });

  it('wraps filesystem failures in a NeuralStoreError with the cause', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const store = createFileModelStore({ path: join(dir, 'file', 'model.json'), fs });
    await expect(store.write('{}')).rejects.toMatchObject({ name: 'NeuralStoreError', code: 'GOV_NEURAL_STORE', cause: { code: 'EEXIST' } });
    await expect(store.read()).rejects.toMatchObject({ name: 'NeuralStoreError', cause: { code: 'ENOTDIR' } });
  });
});
