import type { Command } from '../io.js';

/** Every `gov` command, in the order `gov --help` lists them. */
export const commands: Command[] = [];
