/** The columns of procps-ng `free -b`, as numbers. */
export interface FreeOutput {
  total: number;
  used: number;
  free: number;
  shared: number;
  buffCache: number;
  available: number;
  swapTotal: number;
  swapUsed: number;
  swapFree: number;
}

/** Parses the default (non-wide) output of `free -b`. */
export function parseFreeOutput(text: string): FreeOutput {
  const mem = /^Mem:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(text);
  const swap = /^Swap:\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(text);
  if (!mem || !swap) throw new Error(`not the output of free -b:\n${text}`);
  const [total, used, free, shared, buffCache, available] = mem.slice(1).map(Number) as [number, number, number, number, number, number];
  const [swapTotal, swapUsed, swapFree] = swap.slice(1).map(Number) as [number, number, number];
  return { total, used, free, shared, buffCache, available, swapTotal, swapUsed, swapFree };
}

/** The `free -b` columns of a `LinuxMemory`-shaped value. */
export function freeColumns(memory: FreeOutput): FreeOutput {
  const { total, used, free, shared, buffCache, available, swapTotal, swapUsed, swapFree } = memory;
  return { total, used, free, shared, buffCache, available, swapTotal, swapUsed, swapFree };
}
