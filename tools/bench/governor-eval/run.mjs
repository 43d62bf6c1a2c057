// Bundles the TypeScript benchmark (sibling packages from source, through the `@gov/source`
// condition) with esbuild and runs it: no build of the packages needed first.
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, '..', '..', '..', '.bench-data', 'governor-eval', 'bundle.mjs');
await mkdir(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(here, 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['@gov/source'],
  logLevel: 'warning',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
await import(pathToFileURL(outfile).href);
