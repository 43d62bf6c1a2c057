import { defineConfig } from 'vitest/config';

// Sibling packages resolve to their TypeScript sources through the `@gov/source`
// export condition, so tests never need a prior build of the libraries.
const conditions = ['@gov/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@gov/source'] } },
  test: {
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/web/src/**/*.test.ts', 'tools/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.v2.test.ts', '**/node_modules/**'],
        },
      },
      {
        // Tests that touch the real kernel, a real Docker engine or run the built
        // programs: they share one machine's page cache, so they run one file at a time.
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts', 'apps/*/src/**/*.int.test.ts', 'apps/*/test/**/*.int.test.ts'],
          exclude: ['**/*.v2.test.ts', '**/node_modules/**'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
      // Tests on a real cgroup-v2 kernel: they run only inside the lab guest
      // (`npm run test:v2`, tools/v2-lab), which sets GOV_V2_LAB, never on the host.
      ...(process.env['GOV_V2_LAB'] === '1'
        ? [
            {
              extends: true,
              test: {
                name: 'v2',
                include: ['packages/*/src/**/*.v2.test.ts', 'apps/*/src/**/*.v2.test.ts', 'tools/**/*.v2.test.ts'],
                exclude: ['**/node_modules/**'],
                fileParallelism: false,
                // One emulated worker for every file: imports are paid once, not per file.
                isolate: false,
                testTimeout: 120_000,
                hookTimeout: 180_000,
              },
            },
          ]
        : []),
    ],
  },
});
