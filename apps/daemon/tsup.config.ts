import { defineConfig } from 'tsup';

// govd is bundled into one file with its libraries: a process that stays up for weeks pays for
// every module it loads, and one ESM file costs about 8 MB less resident memory than the same
// code spread over the hundreds of files zod, pino and prom-client ship. Comments go (whitespace
// minified, names kept for stack traces). dockerode and execa stay outside: they are imported on
// first use only (pausing a container, running a helper program).
export default defineConfig({
  entry: { govd: 'src/govd.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  noExternal: [/^(?!dockerode$|execa$)/],
  external: ['dockerode', 'execa'],
  minifyWhitespace: true,
  minifySyntax: true,
  // The CommonJS libraries in the bundle call require() for Node's own modules.
  banner: { js: "import { createRequire as __govCreateRequire } from 'node:module';\nconst require = __govCreateRequire(import.meta.url);" },
});
