import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesGlob, parseComposeDependsOn, planPauses, type GuardedContainer } from './guards.js';

function container(name: string, extra: Partial<GuardedContainer> = {}): GuardedContainer {
  return { id: `id-${name}`, name, state: 'running', labels: {}, compose: null, dependsOn: [], networks: [{ name: 'bridge', aliases: [] }], memoryBytes: 0, ...extra };
}

function globToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

describe('matchesGlob', () => {
  it.each([
    ['web-*', 'web-1', true],
    ['web-*', 'db-1', false],
    ['*-cache', 'redis-cache', true],
    ['db?', 'db1', true],
    ['db?', 'db12', false],
    ['*', '', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['[abc]', '[abc]', true],
  ])('%j on %j is %s', (pattern, name, expected) => {
    expect(matchesGlob(pattern, name)).toBe(expected);
  });

  it('agrees with the equivalent regular expression (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '.', '*', '?');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }).map((chars) => chars.join('')), fc.array(fc.constantFrom('a', 'b', '-', '.'), { maxLength: 10 }).map((chars) => chars.join('')), (pattern, name) => {
        expect(matchesGlob(pattern, name)).toBe(globToRegExp(pattern).test(name));
      }),
    );
  });
});

it('parseComposeDependsOn reads every compose spelling of the label', () => {
  expect(parseComposeDependsOn('db:service_started:false,cache:service_healthy:true')).toEqual(['db', 'cache']);
  expect(parseComposeDependsOn('db')).toEqual(['db']);
  expect(parseComposeDependsOn('')).toEqual([]);
  expect(parseComposeDependsOn(undefined)).toEqual([]);
});

describe('planPauses', () => {
  const options = { allow: [], deny: [], maxPauses: 10 };

  it('applies the guards in order and reports the first that holds', () => {
    const idle = new Set(['never', 'denied', 'unlisted', 'db', 'aliased', 'free']);
    const containers = [
      container('busy', { compose: { project: 'app', service: 'web' }, dependsOn: ['db'], networks: [{ name: 'app_default', aliases: [] }] }),
      container('paused', { state: 'paused' }),
      // Labelled never *and* denied: the label is reported, it comes first.
      container('never', { labels: { 'gov.pause': 'never' } }),
      container('denied'),
      container('unlisted'),
      container('db', { compose: { project: 'app', service: 'db' } }),
      container('aliased', { networks: [{ name: 'app_default', aliases: ['search'] }] }),
      container('free', { memoryBytes: 5 }),
    ];
    const plan = planPauses(containers, (c) => idle.has(c.name), { allow: ['never', 'denied', 'db', 'aliased', 'free', 'paused'], deny: ['den*', 'never'], maxPauses: 10 });
    expect(plan.pause.map((c) => c.name)).toEqual(['free']);
    expect(plan.skipped.map(({ container: c, guard, reason }) => [c.name, guard, reason])).toEqual([
      ['busy', 'not-idle', 'it was not idle for the whole window'],
      ['paused', 'not-running', 'it is paused'],
      ['never', 'label', 'it is labelled gov.pause=never'],
      ['denied', 'deny', 'its name matches the deny pattern "den*"'],
      ['unlisted', 'allow', 'its name matches no allow pattern ("never", "denied", "db", "aliased", "free", "paused")'],
      ['db', 'dependency', 'running container busy depends on its compose service "db"'],
      ['aliased', 'dependency', 'its network alias "search" on network app_default is reachable by running container busy'],
    ]);
  });

  it('lets idle dependants not protect anything, and other projects not count', () => {
    const containers = [
      container('web', { compose: { project: 'app', service: 'web' }, dependsOn: ['db'] }),
      container('db', { compose: { project: 'app', service: 'db' } }),
      container('other', { compose: { project: 'other', service: 'api' }, dependsOn: ['db'] }),
    ];
    const plan = planPauses(containers, (c) => c.name !== 'other', options);
    expect(plan.pause.map((c) => c.name).sort()).toEqual(['db', 'web']);
  });

  it('keeps the biggest when max pauses cuts the list', () => {
    const containers = [container('small', { memoryBytes: 1 }), container('big', { memoryBytes: 300 }), container('mid', { memoryBytes: 20 })];
    const plan = planPauses(containers, () => true, { ...options, maxPauses: 2 });
    expect(plan.pause.map((c) => c.name)).toEqual(['big', 'mid']);
    expect(plan.skipped).toEqual([
      { container: containers[0], guard: 'max-pauses', reason: 'only 2 pause(s) per run (max_pauses_per_tick); bigger idle containers went first' },
    ]);
  });

  it('never plans more than maxPauses, never a labelled or denied container (property)', () => {
    const arbitraryContainer = fc.record({
      name: fc.constantFrom('web', 'db', 'cache', 'job-1', 'job-2', 'x'),
      state: fc.constantFrom('running', 'paused'),
      never: fc.boolean(),
      memoryBytes: fc.nat(),
      idle: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbitraryContainer, { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (specs, maxPauses) => {
        const containers = specs.map((spec, index) => ({ ...container(spec.name, { state: spec.state, memoryBytes: spec.memoryBytes, labels: spec.never ? { 'gov.pause': 'never' } : {} }), id: `c${index}`, idle: spec.idle }));
        const plan = planPauses(containers, (c) => c.idle, { allow: [], deny: ['job-*'], maxPauses });
        expect(plan.pause.length).toBeLessThanOrEqual(maxPauses);
        expect(plan.pause.length + plan.skipped.length).toBe(containers.length);
        for (const c of plan.pause) {
          expect([c.idle, c.state, c.labels['gov.pause'], c.name.startsWith('job-')]).toEqual([true, 'running', undefined, false]);
        }
      }),
    );
  });
});
