import { historyRecordSchema, type HistoryRecord } from '@gov/policies';
import { describe, expect, it } from 'vitest';
import { ACTION_RECORD_KINDS, isActionRecord } from './history-kinds.js';

/** Every kind the history schema knows, read from the schema itself. */
function schemaKinds(): string[] {
  const options = (historyRecordSchema as unknown as { options: Array<{ shape: { kind: { value: string } } }> }).options;
  return options.map((option) => option.shape.kind.value);
}

describe('isActionRecord', () => {
  it('names only kinds the history schema has', () => {
    const kinds = schemaKinds();
    expect(kinds.length).toBeGreaterThan(ACTION_RECORD_KINDS.length);
    for (const kind of ACTION_RECORD_KINDS) expect(kinds).toContain(kind);
  });

  it('tells actions from vetoes and events', () => {
    const at = '2026-12-07T00:00:00.000Z';
    expect(isActionRecord({ kind: 'event', at, event: 'started', message: 'govd started' } as HistoryRecord)).toBe(false);
    expect(isActionRecord({ kind: 'pause-idle-containers', at } as HistoryRecord)).toBe(true);
  });
});
