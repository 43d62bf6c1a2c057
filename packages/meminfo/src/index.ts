export type { Degraded, Environment, HostMemory, LinuxMemory, Pressure, PressureLine, Snapshot, Vmstat } from './types.js';
