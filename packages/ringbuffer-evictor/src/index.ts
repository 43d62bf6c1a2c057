export { createBufferStore } from './store.js';
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
