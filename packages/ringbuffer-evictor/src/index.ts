export { createBufferStore } from './store.js';
export {
  ACTION_BYTES,
  GASOLINE_LIMITS,
  NETWORK_BODY_OVERHEAD_BYTES,
  WEBSOCKET_OVERHEAD_BYTES,
  createGasolineStore,
  networkBodyBytes,
  webSocketEventBytes,
} from './gasoline.js';
export { createExtensionGuard } from './extension-guard.js';
export { utf8Length } from './utf8.js';
export { BufferStoreError } from './errors.js';
export type { BufferStoreErrorCode } from './errors.js';
export type {
  GasolineBufferName,
  GasolineMemoryStatus,
  GasolineStore,
  GasolineStoreOptions,
  NetworkBody,
  WebSocketEvent,
} from './gasoline.js';
export type {
  ExtensionBufferSpec,
  ExtensionCheck,
  ExtensionGuard,
  ExtensionGuardOptions,
  ExtensionPressureLevel,
} from './extension-guard.js';
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
