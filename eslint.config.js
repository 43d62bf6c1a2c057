import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const ioModules = ['execa', 'dockerode', 'node:child_process', 'child_process', 'node:fs', 'fs', 'node:fs/promises', 'fs/promises'];
// Pure code takes the IO kit's part without Node imports, never its main entry.
const pureImportBans = [
  ...ioModules.map((name) => ({ name, message: 'pure libraries take IO through injected ports' })),
  { name: '@gov/io', message: 'pure code imports @gov/io/portable' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', 'coverage/**', '.bench-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', TextEncoder: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // Shared build and test helpers live outside every project, in tools/.
          allow: ['/tools/test-support/[a-z-]+\\.js$', '/tools/tsup-library\\.js$'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:pure', bannedExternalImports: ioModules },
          ],
        },
      ],
    },
  },
  {
    // Pure libraries decide; they never touch processes, files or Docker themselves.
    files: ['packages/{policies,neural,ringbuffer-evictor}/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: pureImportBans }],
    },
  },
  {
    // Entries that pure libraries import from IO packages: nothing of Node in them.
    files: [
      'packages/io/src/{portable,atomic-write,errors,exec-port,timers,wsl-distro}.ts',
      'packages/meminfo/src/{model,cgroup-files,cpu,errors,key-value,meminfo,pressure,types,vmstat,waste}.ts',
      'packages/reclaimer/src/catalogue.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: pureImportBans, patterns: [{ group: ['node:*'], message: 'this entry runs without Node' }] }],
    },
  },
  {
    // govd's contract is bundled into the Control Center page: the main entry takes nothing from
    // Node, and only types from the libraries that do IO.
    files: ['packages/api/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/api/src/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...ioModules.map((name) => ({ name, message: 'the main entry is browser-safe; IO goes in src/node' })),
            ...['@gov/meminfo', '@gov/policies', '@gov/reclaimer', '@gov/docker', '@gov/neural'].map((name) => ({ name, allowTypeImports: true, message: 'the main entry is browser-safe: import types only' })),
          ],
          patterns: [{ group: ['node:*'], message: 'the main entry is browser-safe; IO goes in src/node' }],
        },
      ],
    },
  },
  {
    // The ring buffers run in browsers too: no Node built-ins at all.
    files: ['packages/ringbuffer-evictor/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/ringbuffer-evictor/src/http/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: pureImportBans,
          patterns: [{ group: ['node:*'], message: 'the main entry is browser-safe' }],
        },
      ],
    },
  },
);
