// The capture server and browser extension of the memory-enforcement design, built on the
// general store of the main entry.
export {
  ACTION_BYTES,
  GASOLINE_LIMITS,
  NETWORK_BODY_OVERHEAD_BYTES,
  WEBSOCKET_OVERHEAD_BYTES,
  createGasolineStore,
  networkBodyBytes,
  webSocketEventBytes,
} from './capture-store.js';
export { createExtensionGuard } from './extension-guard.js';
// The presets throw the main entry's error class (one class, shared by both entries).
export { BufferStoreError } from '../errors.js';
export type { BufferStoreErrorCode } from '../errors.js';
export type {
  GasolineBufferName,
  GasolineMemoryStatus,
  GasolineStore,
  GasolineStoreOptions,
  NetworkBody,
  WebSocketEvent,
} from './capture-store.js';
export type {
  ExtensionBufferSpec,
  ExtensionCheck,
  ExtensionGuard,
  ExtensionGuardOptions,
  ExtensionPressureLevel,
} from './extension-guard.js';
