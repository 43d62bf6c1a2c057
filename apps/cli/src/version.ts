import packageJson from '../package.json' with { type: 'json' };

/** gov's version, from its package.json (inlined at build time). */
export const version: string = packageJson.version;
