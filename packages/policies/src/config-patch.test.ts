import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changedConfigKeys, patchConfigToml } from './config-patch.js';
import { defaultConfig, type GovConfig } from './config-schema.js';
import { parseConfigToml, renderConfigToml } from './config.js';

const HAND_WRITTEN = `# my laptop: 32 GiB, builds all day
[governor]
policy = "dynamic"   # the learner needs dynamic
check_interval_secs = 30

# floor: the IDE alone needs 2 GiB
linux_min_mb = 2048

[governor.scheduled]
compact_times = [
  "03:00",  # night
  "12:00",  # lunch
]

[docker]
deny = ["postgres*"]
`;

const withChanges = (base: GovConfig, edit: (config: GovConfig) => void): GovConfig => {
  const next = structuredClone(base);
  edit(next);
  return next;
};

describe('changedConfigKeys', () => {
  it('lists the leaf keys whose values differ, in file order', () => {
    const after = withChanges(defaultConfig, (config) => {
      config.governor.policy = 'aggressive';
      config.governor.scheduled.compact_times = ['04:00'];
      config.docker.deny = ['db'];
    });
    expect(changedConfigKeys(defaultConfig, after)).toEqual([
      { path: 'governor.policy', value: 'aggressive' },
      { path: 'governor.scheduled.compact_times', value: ['04:00'] },
      { path: 'docker.deny', value: ['db'] },
    ]);
    expect(changedConfigKeys(defaultConfig, structuredClone(defaultConfig))).toEqual([]);
  });
});

describe('patchConfigToml', () => {
  it('rewrites only the changed values, keeping comments, blank lines and inline comments', () => {
    const patched = patchConfigToml(HAND_WRITTEN, [
      { path: 'governor.policy', value: 'aggressive' },
      { path: 'governor.linux_min_mb', value: 4096 },
    ]);
    expect(patched?.text).toBe(HAND_WRITTEN.replace('policy = "dynamic"   #', 'policy = "aggressive"   #').replace('linux_min_mb = 2048', 'linux_min_mb = 4096'));
    expect([patched?.config.governor.policy, patched?.config.governor.linux_min_mb, patched?.config.docker.deny]).toEqual(['aggressive', 4096, ['postgres*']]);
  });

  it('replaces a multi-line array whole and keeps what follows it', () => {
    const patched = patchConfigToml(HAND_WRITTEN, [{ path: 'governor.scheduled.compact_times', value: ['04:30'] }]);
    expect(patched?.text).toBe(HAND_WRITTEN.replace(/compact_times = \[[^\]]*\]/, 'compact_times = [ "04:30" ]'));
  });

  it('adds a key the file lacks after the last key of its table, and a missing table at the end', () => {
    const patched = patchConfigToml(HAND_WRITTEN, [
      { path: 'governor.dry_run', value: true },
      { path: 'governor.dynamic.min_waste_mb', value: 800 },
      { path: 'docker.allow', value: ['web-*'] },
    ]);
    expect(patched?.text).toBe(
      HAND_WRITTEN.replace('linux_min_mb = 2048\n', 'linux_min_mb = 2048\ndry_run = true\n').replace('deny = ["postgres*"]\n', 'deny = ["postgres*"]\nallow = [ "web-*" ]\n') +
        '\n[governor.dynamic]\nmin_waste_mb = 800\n',
    );
    expect(patched?.config.governor.dynamic.min_waste_mb).toBe(800);
  });

  it("keeps the original design's spelling: [wsl_governor] and its key names", () => {
    const seed = readFileSync(new URL('../test/seed-wsl-governor.toml', import.meta.url), 'utf8');
    const patched = patchConfigToml(seed, [
      { path: 'governor.dynamic.host_target_available_percent', value: 30 },
      { path: 'governor.linux_min_mb', value: 1024 },
      { path: 'governor.dynamic.min_waste_mb', value: 700 },
    ]);
    expect(patched?.text).toBe(`${seed.replace('windows_target_available_percent = 25', 'windows_target_available_percent = 30').replace('linux_min_mb = 2048', 'linux_min_mb = 1024')}\n[wsl_governor.dynamic]\nmin_waste_mb = 700\n`);
    expect(patched?.config.governor.dynamic.host_target_available_percent).toBe(30);
  });

  it('gives up (null) on what a line edit cannot be sure of, so the caller rewrites the file', () => {
    expect(patchConfigToml('[governor]\ndynamic = { min_waste_mb = 100 }\n', [{ path: 'governor.dynamic.min_waste_mb', value: 200 }])).toBeNull();
    expect(patchConfigToml('[governor]\n"policy" = "dynamic"\n', [{ path: 'governor.policy', value: 'aggressive' }])).toBeNull();
    expect(patchConfigToml('[governor]\npolicy = "nope"\n', [{ path: 'governor.policy', value: 'aggressive' }])).toBeNull();
  });

  it('leaves an empty file as a file with just the changed keys', () => {
    expect(patchConfigToml('', [{ path: 'governor.policy', value: 'conservative' }])?.text).toBe('[governor]\npolicy = "conservative"\n');
  });

  it('gives back exactly the changed config for any change to the commented template or the hand-written file', () => {
    const policies = ['dynamic', 'aggressive', 'conservative', 'scheduled'] as const;
    const change = fc.record({
      policy: fc.constantFrom(...policies),
      interval: fc.integer({ min: 1, max: 86_400 }),
      minWaste: fc.integer({ min: 0, max: 1_048_576 }),
      times: fc.array(fc.constantFrom('00:00', '03:15', '23:59'), { maxLength: 3 }),
      deny: fc.array(fc.constantFrom('db', 'web-*', 'a"b'), { maxLength: 2 }),
    });
    for (const base of [renderConfigToml(defaultConfig), HAND_WRITTEN]) {
      fc.assert(
        fc.property(change, (picked) => {
          const before = parseConfigToml(base);
          const after = withChanges(before, (config) => {
            config.governor.policy = picked.policy;
            config.governor.check_interval_secs = picked.interval;
            config.governor.dynamic.min_waste_mb = picked.minWaste;
            config.governor.scheduled.compact_times = picked.times;
            config.docker.deny = picked.deny;
          });
          const patched = patchConfigToml(base, changedConfigKeys(before, after));
          expect(patched?.config).toEqual(after);
          // Every comment line of the original is still there.
          const comments = (text: string) => text.split('\n').filter((line) => line.trim().startsWith('#'));
          expect(comments(patched?.text ?? '')).toEqual(comments(base));
        }),
        { numRuns: 60 },
      );
    }
  });
});
