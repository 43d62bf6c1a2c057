import { defineConfig } from 'tsup';

// gov is bundled with its libraries, each command in a chunk of its own loaded when it runs: a
// one-shot command pays Node's start and little else (resolving and compiling hundreds of ES
// modules cost more than the work of `gov docker ls`). Comments go (whitespace minified, names
// kept). dockerode and execa stay outside: they are imported on first use only.
export default defineConfig({
  entry: { gov: 'src/gov.ts' },
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
