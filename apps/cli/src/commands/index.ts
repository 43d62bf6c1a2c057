import type { Command } from '../io.js';

/** A command as `gov --help` lists it; its module (and the libraries it needs) loads only when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every `gov` command, in the order `gov --help` lists them. */
export const commands: CommandEntry[] = [
  { name: 'status', summary: 'show how memory is used now: Linux, pressure, the host and vmmem', load: async () => (await import('./status.js')).statusCommand },
  { name: 'reclaim', summary: 'give memory back now: drop caches, compact, or reclaim a cgroup', load: async () => (await import('./reclaim.js')).reclaimCommand },
  { name: 'docker', summary: 'containers: memory and CPU from their cgroups, pause idle ones and reclaim their memory', load: async () => (await import('./docker.js')).dockerCommand },
  { name: 'history', summary: 'show what the governor did: reclaims, pauses, vetoes, errors, feedback', load: async () => (await import('./history.js')).historyCommand },
  { name: 'feedback', summary: 'tell the governor its recent actions made things slow, or were fine', load: async () => (await import('./feedback.js')).feedbackCommand },
  { name: 'learn', summary: 'what the learned advisor has seen and prefers; reset it', load: async () => (await import('./learn.js')).learnCommand },
  { name: 'config', summary: 'write, check and print the config file (and its JSON Schema)', load: async () => (await import('./config.js')).configCommand },
];
