#!/usr/bin/env node
// Runs the hostile-input suite (fuzz and fault tests; they also run in `npm test`) and prints how
// many inputs each area tried, handled and failed, with the totals.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOSTILE_SUITE = [
  'apps/daemon/src/http-hostile.test.ts',
  'packages/policies/src/config-hostile.test.ts',
  'packages/api/src/node/state-hostile.test.ts',
  'packages/reclaimer/src/reclaimer-hostile.test.ts',
];

const dir = mkdtempSync(join(tmpdir(), 'gov-hostile-report-'));
try {
  const run = spawnSync('npx', ['vitest', 'run', '--project', 'unit', ...HOSTILE_SUITE], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GOV_HOSTILE_REPORT: dir } });
  const rows = readdirSync(dir)
    .sort()
    .flatMap((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')));
  const total = rows.reduce((sum, row) => ({ area: 'total', tried: sum.tried + row.tried, handled: sum.handled + row.handled, failed: sum.failed + row.failed }), { area: 'total', tried: 0, handled: 0, failed: 0 });
  const width = Math.max(...[...rows, total].map((row) => row.area.length));
  const print = (row) => `${row.area.padEnd(width)}  ${String(row.tried).padStart(6)}  ${String(row.handled).padStart(7)}  ${String(row.failed).padStart(6)}`;
  console.log([`${'area'.padEnd(width)}   tried  handled  failed`, ...rows.map(print), print(total)].join('\n'));
  if (rows.length < HOSTILE_SUITE.length) console.log(`(${HOSTILE_SUITE.length - rows.length} suite file(s) wrote no counts: they did not finish)`);
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
