import type { HistoryRecord } from '@gov/policies';

/** The history kinds that record something gov did to the machine (the rest are vetoes and daemon events). */
export const ACTION_RECORD_KINDS = ['reclaim', 'pause-idle-containers', 'reclaim-idle-pods'] as const;

/** A history record of an action: a reclaim, idle containers paused, idle pods' cache reclaimed. */
export type ActionRecord = Extract<HistoryRecord, { kind: (typeof ACTION_RECORD_KINDS)[number] }>;

/** Whether a history record is an action (what `gov status` calls the last action and the chart marks). */
export function isActionRecord(record: HistoryRecord): record is ActionRecord {
  return (ACTION_RECORD_KINDS as readonly string[]).includes(record.kind);
}
