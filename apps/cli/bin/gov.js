#!/usr/bin/env node
// The `gov` command: runs dist/gov.js. This file is committed so that npm links the command
// at install time, before anything is built; in a clone, `npm run build` makes the program.
import { existsSync } from 'node:fs';

const program = new URL('../dist/gov.js', import.meta.url);
if (existsSync(program)) {
  await import(program.href);
} else {
  process.stderr.write('gov: the program is not built yet; run "npm run build" in the repository first\n');
  process.exitCode = 1;
}
