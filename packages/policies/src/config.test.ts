import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { configSchema, defaultConfig, type GovConfig } from './config-schema.js';
import { configJsonSchema, configSearchPaths, describeConfig, parseConfigToml, renderConfigToml, resolveStateDir, validateConfig } from './config.js';
import { ConfigError, type ConfigProblem } from './errors.js';

/** The `[wsl_governor]` example of the seed design, character for character. */
const SEED_EXAMPLE = readFileSync(new URL('../test/seed-wsl-governor.toml', import.meta.url), 'utf8');

/** The example file of the config reference. */
const DOCUMENTED_EXAMPLE = `[governor]            # the seed's [wsl_governor] table is accepted as an alias
enabled = true
policy = "dynamic"    # dynamic | aggressive | conservative | scheduled
check_interval_secs = 30
dry_run = false
linux_min_mb = 2048                        # safety floor for every policy
linux_max_mb = 16384
emergency_threshold_percent = 5            # host available below this: emergency reclaim
psi_some_avg10_max = 10                    # no reclaim (but emergency) above this memory stall

[governor.dynamic]
host_target_available_percent = 25        # seed name windows_target_available_percent accepted
min_waste_mb = 500
reclaim_interval_secs = 60

[governor.aggressive]
host_pressure_threshold_percent = 80
target_reclaim_mb = 1024

[governor.conservative]
host_critical_threshold_percent = 90

[governor.scheduled]
compact_times = ["03:00", "12:00"]         # local time, HH:MM

[docker]
auto_pause_idle_containers = false
idle_container_threshold_minutes = 30
idle_cpu_percent = 1

[daemon]
listen = "127.0.0.1:7878"
state_dir = "~/.local/state/gov"
history_max_mb = 16
log_format = "auto"
`;

function problemsOf(run: () => unknown): ConfigProblem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const withChanges = (changes: (config: GovConfig) => void): GovConfig => {
  const config = structuredClone(defaultConfig);
  changes(config);
  return config;
};

describe('defaults', () => {
  test('an empty file is the default config, and every key has a default', () => {
    expect(parseConfigToml('')).toEqual(defaultConfig);
    expect(defaultConfig).toEqual({
      governor: {
        enabled: true,
        policy: 'dynamic',
        check_interval_secs: 30,
        dry_run: false,
        linux_min_mb: 2048,
        linux_max_mb: 16384,
        emergency_threshold_percent: 5,
        psi_some_avg10_max: 10,
        refault_storm_pages_per_sec: 2000,
        dynamic: { host_target_available_percent: 25, min_waste_mb: 500, reclaim_interval_secs: 60 },
        learning: { enabled: true, min_samples: 20, may_raise: true },
        aggressive: { host_pressure_threshold_percent: 80, target_reclaim_mb: 1024, reclaim_interval_secs: 60 },
        conservative: { host_critical_threshold_percent: 90, reclaim_interval_secs: 60 },
        scheduled: { compact_times: ['03:00', '12:00'] },
      },
      docker: { auto_pause_idle_containers: false, idle_container_threshold_minutes: 30, idle_cpu_percent: 1, allow: [], deny: [], max_pauses_per_tick: 3 },
      kubernetes: { reclaim_idle_pods: false, idle_pod_minutes: 30, idle_cpu_percent: 1, exclude: ['kube-system'], max_pods_per_tick: 3, pod_logs_dir: '/var/log/pods' },
      daemon: { listen: '127.0.0.1:7878', state_dir: '~/.local/state/gov', history_max_mb: 16, log_format: 'auto' },
    });
  });

  test('the documented example is exactly the defaults', () => {
    expect(parseConfigToml(DOCUMENTED_EXAMPLE)).toEqual(defaultConfig);
  });

  test('an empty table keeps the defaults of its keys', () => {
    expect(parseConfigToml('[governor.dynamic]\n[docker]\n')).toEqual(defaultConfig);
  });
});

describe('the seed names', () => {
  test('the seed example validates unchanged and maps onto the schema', () => {
    expect(parseConfigToml(SEED_EXAMPLE, 'seed.toml')).toEqual(withChanges((config) => (config.docker.auto_pause_idle_containers = true)));
  });

  test('every flat seed key lands in its table', () => {
    const text = `[wsl_governor]
windows_target_available_percent = 30
reclaim_interval_secs = 120
auto_pause_idle_containers = true
idle_container_threshold_minutes = 45
windows_pressure_threshold = 70
target_reclaim_mb = 512
windows_critical_threshold = 95
compact_times = ["04:30"]
`;
    expect(parseConfigToml(text)).toEqual(
      withChanges((config) => {
        config.governor.dynamic.host_target_available_percent = 30;
        config.governor.dynamic.reclaim_interval_secs = 120;
        config.docker.auto_pause_idle_containers = true;
        config.docker.idle_container_threshold_minutes = 45;
        config.governor.aggressive.host_pressure_threshold_percent = 70;
        config.governor.aggressive.target_reclaim_mb = 512;
        config.governor.conservative.host_critical_threshold_percent = 95;
        config.governor.scheduled.compact_times = ['04:30'];
      }),
    );
  });

  test('seed key names are accepted inside the policy tables', () => {
    const text = '[governor.dynamic]\nwindows_target_available_percent = 40\n[governor.aggressive]\nwindows_pressure_threshold = 60\n[governor.conservative]\nwindows_critical_threshold = 99\n';
    expect(parseConfigToml(text)).toEqual(
      withChanges((config) => {
        config.governor.dynamic.host_target_available_percent = 40;
        config.governor.aggressive.host_pressure_threshold_percent = 60;
        config.governor.conservative.host_critical_threshold_percent = 99;
      }),
    );
  });

  test('problems under [wsl_governor] are reported with the names the file uses', () => {
    const text = '[wsl_governor]\ncheck_interval_secs = 0\nwindows_target_available_percent = 120\npolicy = "dynamc"\nenabeld = true\n';
    expect(problemsOf(() => parseConfigToml(text))).toEqual([
      { path: 'wsl_governor.policy', value: 'dynamc', message: '"dynamc" is not one of "dynamic", "aggressive", "conservative", "scheduled"' },
      { path: 'wsl_governor.check_interval_secs', value: 0, message: '0 is below the minimum 1' },
      { path: 'wsl_governor.windows_target_available_percent', value: 120, message: '120 is above the maximum 100' },
      { path: 'wsl_governor.enabeld', value: true, message: 'unknown key; did you mean "enabled"?' },
    ]);
  });

  test('a seed name and its new name set together is a problem, as are both tables', () => {
    const text = '[governor]\nwindows_target_available_percent = 30\n[governor.dynamic]\nhost_target_available_percent = 20\n';
    expect(problemsOf(() => parseConfigToml(text))).toEqual([
      { path: 'governor.windows_target_available_percent', value: 30, message: 'is the original name of governor.dynamic.host_target_available_percent, which is also set; keep one' },
    ]);
    expect(problemsOf(() => validateConfig({ governor: {}, wsl_governor: {} }))).toEqual([
      { path: 'wsl_governor', value: {}, message: 'both [governor] and [wsl_governor] are set; [wsl_governor] is the original name of [governor], keep one' },
    ]);
  });
});

describe('problems', () => {
  test('every bad key is listed with its path, value and what is allowed', () => {
    const text = `[governor]
check_interval_secs = 0
linux_min_mb = 1.5
psi_some_avg10_max = "high"
[governor.dynamic]
min_wast_mb = 3
[governor.scheduled]
compact_times = ["25:00", "03:00"]
[docker]
allow = ["", 3]
whatever = 1
[daemon]
listen = "localhost"
[deamon]
`;
    const error = (() => {
      try {
        parseConfigToml(text, '/etc/gov/config.toml');
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('GOV_CONFIG_INVALID');
    expect(error.message).toMatchInlineSnapshot(`
      "invalid config /etc/gov/config.toml:
        governor.check_interval_secs: 0 is below the minimum 1
        governor.linux_min_mb: 1.5 is a number; expected a whole number
        governor.psi_some_avg10_max: "high" is a string; expected a number
        governor.dynamic.min_wast_mb: unknown key; did you mean "min_waste_mb"?
        governor.scheduled.compact_times[0]: "25:00" is not a local time as HH:MM, 00:00–23:59
        docker.allow[0]: must not be empty
        docker.allow[1]: 3 is an integer; expected a string
        docker.whatever: unknown key; known keys: auto_pause_idle_containers, idle_container_threshold_minutes, idle_cpu_percent, allow, deny, max_pauses_per_tick
        daemon.listen: "localhost" is not host:port, e.g. 127.0.0.1:7878
        deamon: unknown key; did you mean "daemon"?"
    `);
    expect(error.problems[0]).toEqual({ path: 'governor.check_interval_secs', value: 0, message: '0 is below the minimum 1' });
  });

  test('a floor above the ceiling is refused', () => {
    expect(problemsOf(() => validateConfig({ governor: { linux_min_mb: 4096, linux_max_mb: 2048 } }))).toEqual([
      { path: 'governor.linux_min_mb', value: 4096, message: '4096 is above linux_max_mb 2048; the floor must not exceed the ceiling' },
    ]);
  });

  test('a table given as a value, and a non-table config, are refused', () => {
    expect(problemsOf(() => validateConfig({ docker: 5 }))).toEqual([{ path: 'docker', value: 5, message: '5 is an integer; expected a table' }]);
    expect(problemsOf(() => validateConfig(['x']))).toEqual([{ path: '', value: ['x'], message: 'an array is not a config; expected a table of settings' }]);
  });

  test('a TOML syntax error names the line and column', () => {
    expect(problemsOf(() => parseConfigToml('[governor]\ncheck_interval_secs = 30\npolicy "dynamic"\n'))).toEqual([
      { path: '', value: undefined, message: 'TOML syntax error at line 3, column 1: incomplete key-value: cannot find end of key' },
    ]);
  });

  test('listen accepts IPv4, IPv6 and names, and refuses a bad port', () => {
    for (const listen of ['127.0.0.1:7878', '[::1]:7878', 'localhost:1', '0.0.0.0:65535']) {
      expect(validateConfig({ daemon: { listen } }).daemon.listen).toBe(listen);
    }
    for (const listen of ['127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1', ':7878']) {
      expect(problemsOf(() => validateConfig({ daemon: { listen } }))).toEqual([{ path: 'daemon.listen', value: listen, message: `${JSON.stringify(listen)} is not host:port, e.g. 127.0.0.1:7878` }]);
    }
  });

  test('any parsed value is either a valid config or a ConfigError, never another exception', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateConfig(value);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).problems.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  test('any text is either a valid config or a ConfigError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseConfigToml(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
    );
  });
});

describe('hostile configs', () => {
  test('130 000 unknown keys are a ConfigError listing 50 of them and counting the rest, not a stack overflow', { timeout: 60_000 }, () => {
    const governor: Record<string, number> = {};
    for (let i = 0; i < 130_000; i++) governor[`k${i}`] = i;
    const error = (() => {
      try {
        validateConfig({ governor }, 'big.toml');
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect([error.problems.length, error.omitted]).toEqual([50, 129_950]);
    expect(error.problems[0]).toEqual({ path: 'governor.k0', value: 0, message: expect.stringMatching(/^unknown key; /) });
    expect(error.message.split('\n').slice(-2)).toEqual([expect.stringMatching(/^ {2}governor\.k49: unknown key/), '  … and 129950 more problems']);
  });

  test('the same through TOML', { timeout: 60_000 }, () => {
    const text = `[docker]\n${Array.from({ length: 130_000 }, (_, i) => `k${i} = 1`).join('\n')}\n`;
    expect(() => parseConfigToml(text)).toThrow(/… and 129950 more problems$/);
  });

  test('a value nested deeper than any config is one problem, before anything walks it', () => {
    let array: unknown = [];
    for (let i = 0; i < 30_000; i++) array = [array];
    let table: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) table = { a: table };
    const deepMessage = "nested more than 16 levels deep; a config's tables nest three deep";
    expect(problemsOf(() => validateConfig({ governor: { policy: array } }))).toEqual([{ path: `governor.policy${'[0]'.repeat(15)}`, value: undefined, message: deepMessage }]);
    expect(problemsOf(() => validateConfig({ governor: table }))).toEqual([{ path: `governor${'.a'.repeat(16)}`, value: undefined, message: deepMessage }]);
    expect(problemsOf(() => validateConfig(table))).toEqual([{ path: `a${'.a'.repeat(16)}`, value: undefined, message: deepMessage }]);
    expect(problemsOf(() => validateConfig(array))).toEqual([{ path: `[0]${'[0]'.repeat(16)}`, value: undefined, message: deepMessage }]);
  });

  test('TOML keys dotted 200 000 deep are one ConfigError problem, however deep the parser got', () => {
    // Whether the TOML parser itself runs out of stack depends on the stack size; either way it is a ConfigError.
    const problems = problemsOf(() => parseConfigToml(`${'x.'.repeat(200_000)}y = 1`));
    expect(problems).toEqual([{ path: expect.stringMatching(/^(x(\.x){16})?$/), value: undefined, message: expect.stringMatching(/nested (too deeply to read|more than 16 levels deep)/) }]);
  });

  test('nan and inf are named as what they are', () => {
    expect(problemsOf(() => parseConfigToml('[governor]\ncheck_interval_secs = nan\nlinux_max_mb = inf\nlinux_min_mb = -inf\n'))).toEqual([
      { path: 'governor.check_interval_secs', value: Number.NaN, message: 'nan is not a finite number; expected a number' },
      { path: 'governor.linux_min_mb', value: Number.NEGATIVE_INFINITY, message: '-inf is not a finite number; expected a number' },
      { path: 'governor.linux_max_mb', value: Number.POSITIVE_INFINITY, message: 'inf is not a finite number; expected a number' },
    ]);
    expect(problemsOf(() => validateConfig({ governor: { emergency_threshold_percent: Number.NaN } }))).toEqual([
      { path: 'governor.emergency_threshold_percent', value: Number.NaN, message: 'nan is not a finite number; expected a number' },
    ]);
  });

  test('a "__proto__" key is an unknown key, never a way to set values by inheritance', () => {
    expect(problemsOf(() => validateConfig(JSON.parse('{"__proto__":{"governor":{"policy":"aggressive"}}}')))).toEqual([
      { path: '__proto__', value: { governor: { policy: 'aggressive' } }, message: 'unknown key; known keys: governor, docker, kubernetes, daemon' },
    ]);
    expect(problemsOf(() => validateConfig(JSON.parse('{"governor":{"__proto__":{"policy":"aggressive"}}}')))).toEqual([
      { path: 'governor.__proto__', value: { policy: 'aggressive' }, message: expect.stringMatching(/^unknown key; /) },
    ]);
  });

  test('a UTF-8 byte-order mark (Windows editors) is accepted', () => {
    expect(parseConfigToml('\uFEFF[governor]\npolicy = "aggressive"\n').governor.policy).toBe('aggressive');
  });

  test('state_dir must be absolute or under ~, without NUL', () => {
    for (const state_dir of ['/var/lib/gov', '~', '~/.local/state/gov', 'C:\\ProgramData\\gov', '\\\\server\\gov']) {
      expect(validateConfig({ daemon: { state_dir } }).daemon.state_dir).toBe(state_dir);
    }
    const notAbsolute = 'is not an absolute path; write it from the root (/var/lib/gov) or the home directory (~/.local/state/gov)';
    expect(problemsOf(() => validateConfig({ daemon: { state_dir: '/var/lib/gov\0x' } }))).toEqual([{ path: 'daemon.state_dir', value: '/var/lib/gov\0x', message: '"/var/lib/gov\\u0000x" contains a NUL byte; a path cannot' }]);
    expect(problemsOf(() => parseConfigToml('[daemon]\nstate_dir = "/tmp/a\\u0000b"\n'))).toEqual([{ path: 'daemon.state_dir', value: '/tmp/a\0b', message: '"/tmp/a\\u0000b" contains a NUL byte; a path cannot' }]);
    for (const state_dir of ['state', './state', '~other/gov', 'C:gov']) {
      expect(problemsOf(() => validateConfig({ daemon: { state_dir } }))).toEqual([{ path: 'daemon.state_dir', value: state_dir, message: `${JSON.stringify(state_dir)} ${notAbsolute}` }]);
    }
    expect(problemsOf(() => validateConfig({ daemon: { state_dir: '' } }))).toEqual([{ path: 'daemon.state_dir', value: '', message: 'must not be empty' }]);
  });

  test('a long value is shown cut short in the message, whole in the problem', () => {
    const policy = 'p'.repeat(5000);
    expect(problemsOf(() => validateConfig({ governor: { policy } }))).toEqual([{ path: 'governor.policy', value: policy, message: `"${'p'.repeat(119)}… is not one of "dynamic", "aggressive", "conservative", "scheduled"` }]);
  });
});

const percentArb = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)));
const timeArb = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const globArb = fc.string({ minLength: 1, maxLength: 12 });

const configArb: fc.Arbitrary<GovConfig> = fc
  .record({
    governor: fc.record({
      enabled: fc.boolean(),
      policy: fc.constantFrom('dynamic', 'aggressive', 'conservative', 'scheduled' as const),
      check_interval_secs: fc.integer({ min: 1, max: 86_400 }),
      dry_run: fc.boolean(),
      linux_min_mb: fc.integer({ min: 0, max: 65_536 }),
      linux_max_mb: fc.integer({ min: 65_536, max: 4_194_304 }),
      emergency_threshold_percent: percentArb,
      psi_some_avg10_max: percentArb,
      refault_storm_pages_per_sec: fc.integer({ min: 1, max: 100_000_000 }),
      dynamic: fc.record({ host_target_available_percent: percentArb, min_waste_mb: fc.integer({ min: 0, max: 1_048_576 }), reclaim_interval_secs: fc.integer({ min: 1, max: 86_400 }) }),
      aggressive: fc.record({ host_pressure_threshold_percent: percentArb, target_reclaim_mb: fc.integer({ min: 1, max: 65_536 }), reclaim_interval_secs: fc.integer({ min: 1, max: 86_400 }) }),
      conservative: fc.record({ host_critical_threshold_percent: percentArb, reclaim_interval_secs: fc.integer({ min: 1, max: 86_400 }) }),
      scheduled: fc.record({ compact_times: fc.array(timeArb, { maxLength: 5 }) }),
    }),
    docker: fc.record({
      auto_pause_idle_containers: fc.boolean(),
      idle_container_threshold_minutes: fc.integer({ min: 1, max: 525_600 }),
      idle_cpu_percent: percentArb,
      allow: fc.array(globArb, { maxLength: 4 }),
      deny: fc.array(globArb, { maxLength: 4 }),
      max_pauses_per_tick: fc.integer({ min: 1, max: 1000 }),
    }),
    daemon: fc.record({
      listen: fc.tuple(fc.constantFrom('127.0.0.1', '[::1]', 'localhost', '0.0.0.0'), fc.integer({ min: 1, max: 65_535 })).map(([host, port]) => `${host}:${port}`),
      state_dir: fc.tuple(fc.constantFrom('/', '~/'), fc.string({ maxLength: 38 }).filter((rest) => !rest.includes('\0'))).map(([root, rest]) => `${root}${rest}`),
      history_max_mb: fc.integer({ min: 1, max: 65_536 }),
      log_format: fc.constantFrom('auto', 'json', 'pretty'),
    }),
  })
  .map((config) => configSchema.parse(config));

describe('renderConfigToml', () => {
  test('parses back to the same config, for any valid config', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        expect(parseConfigToml(renderConfigToml(config))).toEqual(config);
      }),
      { numRuns: 200 },
    );
  });

  test('documents every key above its value', () => {
    const text = renderConfigToml(defaultConfig);
    expect(text.split('\n').slice(0, 12).join('\n')).toMatchInlineSnapshot(`
      "# gov config. Every key is optional: a missing key takes the default shown above it.
      # Reference: docs/config.md. JSON Schema for editors: \`gov config schema\`.

      [governor]
      # How and when the governor reclaims. Also read as \`[wsl_governor]\`, its name in the original
      # design.

      # Whether the governor acts at all; when false every tick decides nothing.
      # boolean; default true
      enabled = true

      # Which policy decides when to reclaim: dynamic, aggressive, conservative or scheduled."
    `);
    const keyLines = text.split('\n').filter((line) => /^[a-z0-9_]+ = /.test(line)).map((line) => line.split(' = ')[0]);
    expect(keyLines).toEqual(describeConfig().flatMap((table) => table.keys.map((key) => key.key)));
    expect(keyLines).toHaveLength(37);
  });
});

describe('configJsonSchema', () => {
  test('describes every key with its default, and accepts the seed table', () => {
    const schema = configJsonSchema() as { properties: Record<string, { properties?: Record<string, { default?: unknown }>; deprecated?: boolean }>; additionalProperties: boolean; $schema: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(['governor', 'docker', 'kubernetes', 'daemon', 'wsl_governor']);
    expect(schema.properties['wsl_governor']?.deprecated).toBe(true);
    const defaults = Object.fromEntries(Object.entries(schema.properties['docker']?.properties ?? {}).map(([key, node]) => [key, node.default]));
    expect(defaults).toEqual(defaultConfig.docker);
    expect(schema.properties['governor']?.properties?.['check_interval_secs']).toEqual({
      default: 30,
      description: 'Seconds between two ticks (sense, decide, act).',
      type: 'integer',
      minimum: 1,
      maximum: 86_400,
    });
  });
});

describe('paths', () => {
  test('configSearchPaths: $GOV_CONFIG first when set, then the user file, then the system file', () => {
    expect(configSearchPaths({ env: { GOV_CONFIG: '/srv/gov.toml' }, home: '/home/ada' })).toEqual(['/srv/gov.toml', '/home/ada/.config/gov/config.toml', '/etc/gov/config.toml']);
    expect(configSearchPaths({ env: { GOV_CONFIG: '' }, home: '/home/ada' })).toEqual(['/home/ada/.config/gov/config.toml', '/etc/gov/config.toml']);
    expect(configSearchPaths({ env: {}, home: '/root' })).toEqual(['/root/.config/gov/config.toml', '/etc/gov/config.toml']);
  });

  test('resolveStateDir expands a leading ~ only', () => {
    const at = (state_dir: string) => resolveStateDir(validateConfig({ daemon: { state_dir } }), '/home/ada');
    expect(at('~/.local/state/gov')).toBe('/home/ada/.local/state/gov');
    expect(at('~')).toBe('/home/ada');
    expect(at('/var/lib/gov')).toBe('/var/lib/gov');
  });

  test('resolveStateDir refuses what is not absolute on this system', () => {
    expect(() => resolveStateDir(validateConfig({ daemon: { state_dir: 'C:\\gov' } }), '/home/ada')).toThrow(new ConfigError('daemon.state_dir', [{ path: 'daemon.state_dir', value: 'C:\\gov', message: '"C:\\\\gov" resolves to "C:\\\\gov", which is not an absolute path on this system' }]));
    expect(() => resolveStateDir(defaultConfig, 'relative-home')).toThrow(/resolves to "relative-home\/\.local\/state\/gov", which is not an absolute path on this system/);
  });

  test('resolveStateDir takes $GOV_STATE_DIR, then systemd\'s $STATE_DIRECTORY (its first), then the config', () => {
    const config = validateConfig({ daemon: { state_dir: '~/gov' } });
    const at = (env: Record<string, string | undefined>) => resolveStateDir(config, '/home/ada', env);
    expect([
      at({ GOV_STATE_DIR: '/srv/gov', STATE_DIRECTORY: '/var/lib/gov' }),
      at({ STATE_DIRECTORY: '/var/lib/gov:/var/lib/other' }),
      at({ GOV_STATE_DIR: '', STATE_DIRECTORY: '' }),
      at({}),
    ]).toEqual(['/srv/gov', '/var/lib/gov', '/home/ada/gov', '/home/ada/gov']);
  });
});
