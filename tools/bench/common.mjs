// Helpers the benchmarks share.
import { createServer } from 'node:net';

/** A loopback port nothing listens on right now. */
export async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** Min, median (the lower one of an even count) and max. */
export function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted.at(-1) };
}

/** `min / median / max` with `digits` decimals and a unit after the last. */
export function triple(values, digits = 0, unit = '') {
  const { min, median, max } = spread(values);
  return `${min.toFixed(digits)} / ${median.toFixed(digits)} / ${max.toFixed(digits)}${unit}`;
}
