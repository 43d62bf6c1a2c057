import { describe, expect, it } from 'vitest';
import { createMemoryModelStore } from './model-file.js';
import { createModelSaver } from './model-saver.js';

describe('createModelSaver', () => {
  it('writes in the order it was asked, even when an earlier write is slower', async () => {
    const store = createMemoryModelStore(null, 'm.json');
    const written: string[] = [];
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const saver = createModelSaver({ ...store, write: async (text) => (text === 'first' ? slow : Promise.resolve()).then(() => void written.push(text)) }, () => {});
    saver.save('first');
    saver.save('second');
    const flushed = saver.flush();
    release();
    await flushed;
    expect(written).toEqual(['first', 'second']);
  });

  it('reports a failed write and goes on with the next', async () => {
    const errors: string[] = [];
    const store = createMemoryModelStore(null, 'm.json');
    let fail = true;
    const saver = createModelSaver({ ...store, write: async (text) => (fail ? ((fail = false), Promise.reject(new Error('disk full'))) : store.write(text)) }, (error) => errors.push(error.message));
    saver.save('lost');
    saver.save('kept');
    await saver.flush();
    expect([errors, store.files.get('m.json')]).toEqual([['disk full'], 'kept']);
  });

  it('deletes after the writes before it, and says whether there was a file', async () => {
    const store = createMemoryModelStore(null, 'm.json');
    const saver = createModelSaver(store, () => {});
    saver.save('model');
    expect(await saver.remove()).toBe(true);
    expect(await saver.remove()).toBe(false);
    expect(store.files.size).toBe(0);
    expect(await createModelSaver(undefined, () => {}).remove()).toBe(false);
  });
});
