export { createBufferStore } from './store.js';
export { utf8Length } from './utf8.js';
export { BufferStoreError } from './errors.js';
export type { BufferStoreErrorCode } from './errors.js';
export type {
  AddResult,
  BufferEntries,
  BufferEvictionCount,
  BufferLimits,
  BufferSpec,
  BufferStatus,
  BufferStore,
  BufferStoreEvents,
  BufferStoreOptions,
  BufferStoreStatus,
  CheckReport,
  EnforcementLevel,
  EvictEvent,
  ExceededEvent,
  FixedBufferSpec,
  IntervalHandle,
  MeasuredBufferSpec,
  MinimalModeEvent,
  TimerOptions,
} from './types.js';
