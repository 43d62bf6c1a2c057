import type { Command } from '../io.js';
import type { CommandSpec } from '../spec.js';
import { completionSpec, configSpec, dockerSpec, feedbackSpec, historySpec, learnSpec, reclaimSpec, serviceSpec, statusSpec } from './specs.js';

/** A command as help and completion know it; its module (and the libraries it needs) loads only when it runs. */
export interface CommandEntry {
  spec: CommandSpec;
  load(): Promise<Command>;
}

/** Every `gov` command, in the order `gov --help` lists them. */
export const commands: CommandEntry[] = [
  { spec: statusSpec, load: async () => (await import('./status.js')).statusCommand },
  { spec: reclaimSpec, load: async () => (await import('./reclaim.js')).reclaimCommand },
  { spec: dockerSpec, load: async () => (await import('./docker.js')).dockerCommand },
  { spec: historySpec, load: async () => (await import('./history.js')).historyCommand },
  { spec: feedbackSpec, load: async () => (await import('./feedback.js')).feedbackCommand },
  { spec: learnSpec, load: async () => (await import('./learn.js')).learnCommand },
  { spec: configSpec, load: async () => (await import('./config.js')).configCommand },
  { spec: serviceSpec, load: async () => (await import('./service.js')).serviceCommand },
  { spec: completionSpec, load: async () => (await import('./completion.js')).completionCommand },
];
