import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const dirs = ['packages', 'apps'].flatMap((parent) => readdirSync(new URL(parent, root)).map((name) => `${parent}/${name}`)).sort();
const manifests = dirs.map((dir) => ({ dir, pkg: JSON.parse(readFileSync(new URL(`${dir}/package.json`, root), 'utf8')) as Record<string, unknown> }));

describe('the published packages', () => {
  it('are all ten workspace packages, none private', () => {
    expect(manifests.map(({ pkg }) => [pkg['name'], pkg['private'] ?? false])).toEqual([
      ['@gov/cli', false],
      ['@gov/daemon', false],
      ['@gov/api', false],
      ['@gov/docker', false],
      ['@gov/io', false],
      ['@gov/meminfo', false],
      ['@gov/neural', false],
      ['@gov/policies', false],
      ['@gov/reclaimer', false],
      ['@gov/ringbuffer-evictor', false],
    ]);
  });

  it.each(manifests)('$dir publishes anywhere (provenance comes from the release environment), with its license, README and metadata', ({ dir, pkg }) => {
    expect(pkg['publishConfig']).toEqual({ access: 'public' });
    expect(pkg['license']).toBe('MIT');
    expect((pkg['scripts'] as Record<string, string>)['prepack']).toBe('node ../../tools/pack-license.mjs');
    expect(pkg['engines']).toEqual({ node: '>=20.19' });
    expect(pkg['repository']).toEqual({ type: 'git', url: 'git+https://github.com/gov-memory/gov.git', directory: dir });
    expect(pkg['files']).toContain('dist');
    expect(existsSync(new URL(`${dir}/README.md`, root))).toBe(true);
  });

  it.each(manifests.filter(({ dir }) => dir.startsWith('apps/')))('$dir links a committed bin file, so npx finds the command before a build', ({ dir, pkg }) => {
    const bins = Object.values(pkg['bin'] as Record<string, string>);
    expect(bins.length).toBe(1);
    for (const bin of bins) {
      expect(readFileSync(new URL(`${dir}/${bin}`, root), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
      expect(pkg['files']).toContain(bin.split('/')[1]);
    }
  });
});
