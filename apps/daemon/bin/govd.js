#!/usr/bin/env node
// The `govd` command: runs dist/govd.js. This file is committed so that npm links the command
// at install time, before anything is built; in a clone, `npm run build` makes the program.
import { existsSync } from 'node:fs';

const program = new URL('../dist/govd.js', import.meta.url);
if (existsSync(program)) {
  await import(program.href);
} else {
  process.stderr.write('govd: the program is not built yet; run "npm run build" in the repository first\n');
  process.exitCode = 1;
}
