import type { Command } from '../io.js';
import { configCommand } from './config.js';
import { dockerCommand } from './docker.js';
import { feedbackCommand } from './feedback.js';
import { historyCommand } from './history.js';
import { learnCommand } from './learn.js';
import { reclaimCommand } from './reclaim.js';
import { statusCommand } from './status.js';

/** Every `gov` command, in the order `gov --help` lists them. */
export const commands: Command[] = [statusCommand, reclaimCommand, dockerCommand, historyCommand, feedbackCommand, learnCommand, configCommand];
