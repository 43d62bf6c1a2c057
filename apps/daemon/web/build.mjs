// Bundles the Control Center (TypeScript + Preact) into dist/web: index.html and hashed assets
// that govd serves from its own package. No CDN, no external request, no inline code (the CSP
// forbids it).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'dist', 'web');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.tsx' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  // Sibling packages from their TypeScript sources, as the tests read them.
  conditions: ['@gov/source'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  legalComments: 'none',
  outdir: join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((name) => name.endsWith('.js'));
const style = outputs.find((name) => name.endsWith('.css'));
if (!script || !style) throw new Error(`the Control Center build wrote ${outputs.join(', ')}; expected one .js and one .css`);
const page = (await readFile(join(here, 'index.html'), 'utf8')).replace('%SCRIPT%', script).replace('%STYLE%', style);
await writeFile(join(outdir, 'index.html'), page);
