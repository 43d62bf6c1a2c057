import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { govd: 'src/govd.ts' },
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
});
