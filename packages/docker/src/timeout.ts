// The timer port is `Timers` of `@gov/io`; this name stays only while `client.ts` imports it from here.
export type { Timers } from '@gov/io';
