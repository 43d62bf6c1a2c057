// `npm start`: runs the govd just built, as a dry run on a machine nobody has configured yet
// (see start-args.mjs).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configSearchPaths } from '@gov/policies';
import { startArgs } from './start-args.mjs';

const govd = new URL('../apps/daemon/bin/govd.js', import.meta.url);
const configFound = configSearchPaths({ env: process.env, home: homedir() }).some((path) => existsSync(path));
const { args, note } = startArgs(process.argv.slice(2), configFound);
if (note) process.stderr.write(note);

// govd runs in this process (it reads its flags from process.argv), so Ctrl-C and SIGTERM reach
// it directly and it finishes the running tick before it exits.
process.argv = [process.argv[0], fileURLToPath(govd), ...args];
await import(govd.href);
