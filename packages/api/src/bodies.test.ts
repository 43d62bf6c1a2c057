import { RECLAIM_METHOD_NAMES } from '@gov/reclaimer/catalogue';
import { describe, expect, test } from 'vitest';
import { containerBodySchema, feedbackBodySchema, parseRequestBody, reclaimBodySchema } from './bodies.js';
import { ApiError } from './errors.js';
import { parseHistoryLimit, parseHistorySince, parseTelemetryRange } from './routes.js';

describe('request bodies', () => {
  test('a reclaim body names only methods of the catalogue, and defaults to full', () => {
    expect(reclaimBodySchema.shape.method.unwrap().in.options).toEqual(RECLAIM_METHOD_NAMES);
    expect(parseRequestBody(reclaimBodySchema, {})).toEqual({ method: 'full' });
  });

  test('a reclaim body may name a method by its short name, and is read as the catalogue name', () => {
    expect([parseRequestBody(reclaimBodySchema, { method: 'compact' }), parseRequestBody(reclaimBodySchema, { method: 'cgroup', targetBytes: 1048576 })]).toEqual([
      { method: 'compact_memory' },
      { method: 'cgroup_reclaim', targetBytes: 1048576 },
    ]);
    expect(() => parseRequestBody(reclaimBodySchema, { method: 'drop' })).toThrow('invalid request body: method: Invalid option: expected one of "drop_caches"|"compact_memory"|"cgroup_reclaim"|"full"|"compact"|"cgroup"');
  });

  test('a body of the wrong shape is a 400 listing every problem', () => {
    let error: unknown;
    try {
      parseRequestBody(reclaimBodySchema, { method: 'rm -rf /', level: 7 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'GOV_HTTP_INVALID_BODY', details: [{ path: 'method' }, { path: 'level' }] });
    expect(() => parseRequestBody(feedbackBodySchema, { kind: 'meh', extra: 1 })).toThrow('invalid request body: kind: Invalid option: expected one of "slow"|"ok"; (body): Unrecognized key: "extra"');
  });

  test('a container body names one container, by name or id', () => {
    expect(parseRequestBody(containerBodySchema, { name: 'web-1', dryRun: true })).toEqual({ name: 'web-1', dryRun: true });
    expect(() => parseRequestBody(containerBodySchema, { name: '' })).toThrow('invalid request body: name: Too small: expected string to have >=1 characters');
    expect(() => parseRequestBody(containerBodySchema, {})).toThrow('invalid request body: name: Invalid input: expected string, received undefined');
  });

  test('feedback takes a note of at most 2000 characters, or none', () => {
    expect(parseRequestBody(feedbackBodySchema, { kind: 'ok', note: null })).toEqual({ kind: 'ok', note: null });
    expect(() => parseRequestBody(feedbackBodySchema, { kind: 'ok', note: 'x'.repeat(2001) })).toThrow(ApiError);
  });
});

test('parseHistoryLimit: 100 by default, 1 to 10 000, else a 400', () => {
  expect([parseHistoryLimit(null), parseHistoryLimit('1'), parseHistoryLimit('10000')]).toEqual([100, 1, 10_000]);
  for (const text of ['0', '-3', 'ten', '10001', '2.5']) {
    expect(() => parseHistoryLimit(text)).toThrow(new ApiError(400, 'GOV_HTTP_BAD_QUERY', `limit: "${text}" is not a whole number from 1 to 10000`));
  }
});

test('parseTelemetryRange: hour, day (the default) or week, else a 400', () => {
  expect([parseTelemetryRange(null), parseTelemetryRange('hour'), parseTelemetryRange('week')]).toEqual(['day', 'hour', 'week']);
  for (const text of ['year', '', 'toString', '__proto__']) {
    expect(() => parseTelemetryRange(text)).toThrow(new ApiError(400, 'GOV_HTTP_BAD_QUERY', `range: "${text}" is not one of hour, day, week`));
  }
});

test('parseHistorySince: an ISO time with its zone, else a 400', () => {
  expect([parseHistorySince(null), parseHistorySince('2026-11-22T02:00:00Z'), parseHistorySince('2026-11-22T03:00:00.5+01:00')]).toEqual([null, Date.parse('2026-11-22T02:00:00Z'), Date.parse('2026-11-22T02:00:00.5Z')]);
  for (const text of ['yesterday', '2026-11-22', '2026-11-22T02:00:00', '2026-13-40T99:00:00Z', '1700000000000']) {
    expect(() => parseHistorySince(text)).toThrow(new ApiError(400, 'GOV_HTTP_BAD_QUERY', `since: "${text}" is not a time such as 2026-11-22T02:00:00Z`));
  }
});
