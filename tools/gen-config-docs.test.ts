import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';

// Imported by URL: the generator is a plain .mjs script without type declarations.
const generatorUrl = new URL('./gen-config-docs.mjs', import.meta.url).href;

describe('docs/config.md', () => {
  test('is the generator output for the current schema (run npm run docs:config after changing it)', async () => {
    const { renderConfigDocs } = (await import(/* @vite-ignore */ generatorUrl)) as { renderConfigDocs(): string };
    const committed = await readFile(new URL('../docs/config.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });
});
