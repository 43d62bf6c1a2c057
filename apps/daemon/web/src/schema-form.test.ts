import { configJsonSchema, defaultConfig } from '@gov/policies';
import { describe, expect, it } from 'vitest';
import { formFromSchema, inputText, labelOf, parseInput, problemsByPath, withValue } from './schema-form.js';

describe('formFromSchema', () => {
  const groups = formFromSchema(configJsonSchema());

  it('has one group per table of the config, the original [wsl_governor] left out', () => {
    expect(groups.map((group) => group.path)).toEqual(['governor', 'docker', 'kubernetes', 'daemon']);
    expect(groups[0]?.groups.map((group) => group.path)).toEqual(['governor.dynamic', 'governor.learning', 'governor.aggressive', 'governor.conservative', 'governor.scheduled']);
  });

  it('describes each key by its type, range, default and description', () => {
    const governor = groups[0];
    expect(governor?.fields.find((field) => field.key === 'check_interval_secs')).toEqual({
      path: 'governor.check_interval_secs',
      key: 'check_interval_secs',
      label: 'Check interval (s)',
      kind: 'integer',
      description: 'Seconds between two ticks (sense, decide, act).',
      default: 30,
      minimum: 1,
      maximum: 86400,
      options: [],
      allowed: 'whole number, 1–86400',
    });
    expect(governor?.fields.find((field) => field.key === 'policy')).toMatchObject({ kind: 'enum', options: ['dynamic', 'aggressive', 'conservative', 'scheduled'], default: 'dynamic' });
    expect(governor?.groups.find((group) => group.path === 'governor.scheduled')?.fields[0]).toMatchObject({ kind: 'string-list', default: ['03:00', '12:00'] });
  });

  it('covers every key of the config', () => {
    const paths = groups.flatMap(function collect(group): string[] {
      return [...group.fields.map((field) => field.path), ...group.groups.flatMap(collect)];
    });
    // Every leaf of the defaults (a list is one leaf) has its field, and no field is made up.
    const leaves = (value: unknown, prefix: string): string[] =>
      value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key)) : [prefix];
    expect([...paths].sort()).toEqual(leaves(defaultConfig, '').sort());
  });
});

describe('form values', () => {
  const intField = formFromSchema(configJsonSchema())[0]!.fields.find((field) => field.key === 'check_interval_secs')!;
  const listField = { ...intField, kind: 'string-list' as const, default: [] };

  it('reads what was typed: numbers as numbers, anything else as typed for the server to judge, empty as the default', () => {
    expect([parseInput(intField, ' 45 '), parseInput(intField, 'soon'), parseInput(intField, ''), parseInput(intField, '1e3')]).toEqual([45, 'soon', 30, 1000]);
    expect([parseInput(listField, '03:00, 12:00 ,'), parseInput(listField, ' ')]).toEqual([['03:00', '12:00'], []]);
    expect([inputText(listField, ['a', 'b']), inputText(intField, 30)]).toEqual(['a, b', '30']);
  });

  it('replaces one value without touching the rest', () => {
    const next = withValue(defaultConfig, 'governor.dynamic.min_waste_mb', 900);
    expect([next.governor.dynamic.min_waste_mb, next.governor.policy, defaultConfig.governor.dynamic.min_waste_mb, next.docker === defaultConfig.docker]).toEqual([900, 'dynamic', 500, true]);
  });

  it('maps the server\'s problems to their fields, an entry of a list to the list', () => {
    const problems = problemsByPath([
      { path: 'governor.check_interval_secs', value: 0, message: '0 is below the minimum 1' },
      { path: 'docker.allow[1]', value: '', message: 'must not be empty' },
      { path: 'docker.allow[3]', value: '', message: 'must not be empty' },
      'junk',
    ]);
    expect([...problems]).toEqual([
      ['governor.check_interval_secs', '0 is below the minimum 1'],
      ['docker.allow', 'must not be empty; must not be empty'],
    ]);
    expect(problemsByPath(undefined).size).toBe(0);
  });

  it('labels keys in words with their unit', () => {
    expect([labelOf('linux_min_mb'), labelOf('emergency_threshold_percent'), labelOf('refault_storm_pages_per_sec'), labelOf('enabled')]).toEqual(['Linux min (MiB)', 'Emergency threshold (%)', 'Refault storm pages (/s)', 'Enabled']);
  });
});
