import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { gov: 'src/gov.ts' },
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
});
