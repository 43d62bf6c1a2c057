// `@gov/meminfo/model`: the memory model without IO (parsers, derived values, types), for the
// pure libraries and for browsers. Nothing here reads a file or runs a program.
export { parseMemoryStat } from './cgroup-files.js';
export { parseCpuTimes } from './cpu.js';
export { MeminfoParseError } from './errors.js';
export { deriveLinuxMemory, parseLinuxMemory, parseMeminfo } from './meminfo.js';
export type { Meminfo } from './meminfo.js';
export { parsePressure } from './pressure.js';
export type { CpuTimes, Degraded, Environment, HostMemory, LinuxMemory, Pressure, PressureLine, Snapshot, Vmstat } from './types.js';
export { parseVmstat, parseVmstatCounters } from './vmstat.js';
export { wasteBytes } from './waste.js';
