// The least a daemon built like govd loads, as a peer for the footprint benchmark: an HTTP server
// on loopback, a config validated by a zod schema, pino logging to stdout, a prom-client
// registry with a few metrics, and a timer. bench.mjs bundles it the way govd is bundled.
import { createServer } from 'node:http';
import { pino } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import * as z from 'zod';

const schema = z.object({
  governor: z.object({ policy: z.enum(['dynamic', 'conservative']).default('dynamic'), check_interval_secs: z.number().int().min(1).default(30) }).default({ policy: 'dynamic', check_interval_secs: 30 }),
  daemon: z.object({ listen: z.string().default('127.0.0.1:0') }).default({ listen: '127.0.0.1:0' }),
});
const config = schema.parse({});
const logger = pino({ level: 'warn' }, pino.destination({ dest: 1, sync: true }));
const registry = new Registry();
const ticks = new Counter({ name: 'ticks_total', help: 'ticks', registers: [registry] });
const memory = new Gauge({ name: 'memory_bytes', help: 'memory', labelNames: ['kind'], registers: [registry] });
const duration = new Histogram({ name: 'tick_seconds', help: 'tick', registers: [registry] });
createServer((_req, res) => {
  void registry.metrics().then((text) => res.end(text));
}).listen(0, '127.0.0.1');
setInterval(() => {
  ticks.inc();
  memory.set({ kind: 'total' }, 1);
  duration.observe(0.001);
  logger.debug({ config }, 'tick');
}, config.governor.check_interval_secs * 1000);
