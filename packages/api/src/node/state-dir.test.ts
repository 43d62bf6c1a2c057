import { expect, test } from 'vitest';
import { stateFiles } from './state-dir.js';

test('stateFiles names every file govd keeps in its state directory', () => {
  expect(stateFiles('/var/lib/gov')).toEqual({
    dir: '/var/lib/gov',
    token: '/var/lib/gov/token',
    history: '/var/lib/gov/history.jsonl',
    previousHistory: '/var/lib/gov/history.jsonl.1',
    model: '/var/lib/gov/neural-model.json',
    reclaimLock: '/var/lib/gov/reclaim.lock',
  });
});
