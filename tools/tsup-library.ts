import { defineConfig, type Options } from 'tsup';

/** The build every `@gov/*` library shares: ESM with declarations, for Node 20.19+. */
export function defineLibraryConfig(entry: Options['entry'] = ['src/index.ts']) {
  return defineConfig({ entry, format: ['esm'], target: 'node20', dts: true, sourcemap: true, clean: true });
}
