export { connectDocker, createDockerClient } from './client.js';
export type {
  CgroupReclaimPort,
  ContainerInfo,
  DockerClient,
  DockerClientOptions,
  PauseDecision,
  PauseIdleOptions,
  PauseIdleResult,
  SampleOptions,
  SampleProgress,
  UnpauseAllResult,
  UnpauseResult,
} from './client.js';
export { containerCgroupPath, expandSystemdSlice, locateContainerCgroup, memoryCgroupFromProc, parseCgroupMounts } from './cgroup-paths.js';
export type { CgroupDriver, CgroupMount, ContainerCgroup } from './cgroup-paths.js';
export { createDockerodeEngine, dockerOptionsFromHost, engineContainerFromInspect } from './engine.js';
export type { DockerEngine, DockerodeEngineOptions, EngineContainer, EngineInfo } from './engine.js';
export { DockerError } from './errors.js';
export type { DockerErrorCode } from './errors.js';
export { matchesGlob, NEVER_PAUSE_LABEL, parseComposeDependsOn, planPauses } from './guards.js';
export type { GuardedContainer, GuardOptions, GuardPlan, PauseGuard } from './guards.js';
export { createIdleSampler } from './idle-sampler.js';
export type { CpuSample, IdleSampler, IdleSamplerOptions, IdleStatus } from './idle-sampler.js';
export { createPausedStateStore, formatPausedState, parsePausedState } from './paused-state.js';
export type { PausedRecord, PausedStateStore, StateFs } from './paused-state.js';
export { containerMemoryFromCgroup, parseCpuUsageNs, readCgroupUsage, toContainerMemory, usageFromStatsApi } from './usage.js';
export type { ContainerMemory, ContainerUsage, ReadCgroupUsageOptions } from './usage.js';
