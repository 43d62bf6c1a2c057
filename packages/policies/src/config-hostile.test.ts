import fc from 'fast-check';
import { stringify as stringifyToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { createTally } from '../../../tools/test-support/tally.js';
import { defaultConfig } from './config-schema.js';
import { parseConfigToml, validateConfig } from './config.js';
import { ConfigError, MAX_LISTED_PROBLEMS } from './errors.js';

// The hostile-input suite, config part: whatever a config file or a PUT /api/config body holds,
// validation ends in a config or a ConfigError with a bounded, printable list of problems.

const tally = createTally('configs');
afterAll(() => tally.report());

/** Either a config, or a ConfigError of at most MAX_LISTED_PROBLEMS problems whose message and details serialise. */
function assertHandled(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(MAX_LISTED_PROBLEMS);
    // What govd answers with (the 400's details) and logs must be writable as JSON.
    expect(() => JSON.stringify({ message: (error as Error).message, problems })).not.toThrow();
  }
}

/** A value nested `depth` deep, as arrays or tables. */
const nested = (depth: number, asTable: boolean): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = asTable ? { a: value } : [value];
  return value;
};

/** Paths into the config where a hostile value may go. */
const paths = ['governor', 'governor.policy', 'governor.check_interval_secs', 'governor.dynamic', 'governor.scheduled.compact_times', 'docker.allow', 'kubernetes', 'kubernetes.exclude', 'kubernetes.pod_logs_dir', 'daemon', 'daemon.state_dir', 'daemon.listen', 'wsl_governor', 'wsl_governor.windows_target_available_percent', '__proto__', 'constructor', 'governor.__proto__'];

function setAt(root: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const parts = path.split('.');
  let node = root;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(node, part) ? node[part] : undefined;
    const table = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
    Object.defineProperty(node, part, { value: table, enumerable: true, writable: true, configurable: true });
    node = table;
  }
  Object.defineProperty(node, parts.at(-1) as string, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2 ** 53 + 2, -1, 1e308, '', '\u0000', '/var/lib/gov\u0000x', 'relative/dir', '~', '~root', 'C:\\gov', '\\\\server\\share', '\uFEFF', 'x'.repeat(100_000)),
  fc.integer({ min: 17, max: 20_000 }).chain((depth) => fc.boolean().map((asTable) => nested(depth, asTable))),
  fc.integer({ min: 1, max: 20_000 }).map((count) => Object.fromEntries(Array.from({ length: count }, (_, n) => [`k${n}`, n]))),
);

describe('hostile configs', () => {
  it('JSON objects with a hostile value anywhere', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), hostileValue, (path, value) => tally.check('config: JSON values', () => assertHandled(() => validateConfig(setAt(structuredClone(defaultConfig) as unknown as Record<string, unknown>, path, value))))),
      { numRuns: 300 },
    );
  });

  it('a "__proto__" key anywhere is refused, never inherited', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('', 'governor', 'governor.dynamic', 'docker', 'kubernetes', 'daemon'), fc.jsonValue({ maxDepth: 2 }), (where, value) =>
        tally.check('config: __proto__ keys', () => {
          const text = where === '' ? `{"__proto__":${JSON.stringify(value)}}` : `{${where.split('.').map((part) => `"${part}":{`).join('')}"__proto__":${JSON.stringify(value)}${'}'.repeat(where.split('.').length)}}`;
          expect(() => validateConfig(JSON.parse(text))).toThrow(ConfigError);
        }),
      ),
      { numRuns: 100 },
    );
  });

  it('any JSON value as a whole config', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), hostileValue), (value) => {
        void tally.check('config: whole JSON', () => assertHandled(() => validateConfig(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('TOML text: random, mutated from a valid file, and shaped to hurt', { timeout: 120_000 }, async () => {
    const valid = stringifyToml(defaultConfig as unknown as Record<string, unknown>);
    const mutated = fc.tuple(fc.nat({ max: valid.length }), fc.nat({ max: 40 }), fc.string({ unit: 'binary', maxLength: 20 })).map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(at + cut));
    const shaped = fc.oneof(
      fc.integer({ min: 100, max: 200_000 }).map((depth) => `${'x.'.repeat(depth)}y = 1`),
      fc.integer({ min: 100, max: 50_000 }).map((depth) => `a = ${'['.repeat(depth)}${']'.repeat(depth)}`),
      fc.integer({ min: 100, max: 20_000 }).map((depth) => `a = ${'{b='.repeat(depth)}1${'}'.repeat(depth)}`),
      fc.integer({ min: 1, max: 20_000 }).map((count) => `[docker]\n${Array.from({ length: count }, (_, n) => `k${n} = ${n}`).join('\n')}\n`),
      fc.constantFrom('\uFEFF[governor]\npolicy = "aggressive"\n', '[governor]\ncheck_interval_secs = nan\n', '[governor]\nlinux_max_mb = inf\n', '[daemon]\nstate_dir = "a\\u0000b"\n', '[daemon]\nstate_dir = "state"\n', '[governor]\n[governor]\n', '[[governor]]\n', 'governor = 1\n[governor]\n'),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), mutated, shaped), (text) => tally.check('config: TOML text', () => assertHandled(() => parseConfigToml(text, 'fuzz.toml')))),
      { numRuns: 400 },
    );
  });
});
