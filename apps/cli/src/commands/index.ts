import type { Command } from '../io.js';
import { learnCommand } from './learn.js';

/** Every `gov` command, in the order `gov --help` lists them. */
export const commands: Command[] = [learnCommand];
