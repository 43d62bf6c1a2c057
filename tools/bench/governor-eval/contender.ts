/** One reclaim a contender made, as the benchmark saw it. */
export interface ReclaimEvent {
  /** Epoch milliseconds. */
  at: number;
  freedBytes: number;
  what: string;
}

export interface ContenderTally {
  actions: number;
  vetoes: number;
  shrinks: number;
  raises: number;
  freedBytes: number;
  /** Every reclaim, in order: what the host scenario times against the host crossing its target. */
  events: ReclaimEvent[];
  /** What the Governor did on each tick it proposed or took a reclaim (the gov contenders only). */
  timeline: TimelineEntry[];
}

/** One tick of a governed run, seconds after the run started. */
export interface TimelineEntry {
  atSecs: number;
  /** What the guest held (cache + RSS) at the tick. */
  heldBytes: number | null;
  decision: string;
  verdict: string | null;
  targetBytes: number | null;
  freedBytes: number | null;
}

/** Something that may reclaim the guest's memory while the workload runs. */
export interface Contender {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<ContenderTally>;
}

export const emptyTally = (): ContenderTally => ({ actions: 0, vetoes: 0, shrinks: 0, raises: 0, freedBytes: 0, events: [], timeline: [] });

export function createNoGovernor(): Contender {
  return { name: 'none', start() {}, stop: async () => emptyTally() };
}
