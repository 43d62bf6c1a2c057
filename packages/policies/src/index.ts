export { configSchema, defaultConfig, POLICY_NAMES } from './config-schema.js';
export type { GovConfig, GovConfigInput, PolicyName } from './config-schema.js';
export { configAliases, configJsonSchema, configSearchPaths, describeConfig, parseConfigToml, renderConfigToml, resolveStateDir, validateConfig } from './config.js';
export type { ConfigKeyDoc, ConfigTableDoc } from './config.js';
export { levenshtein, suggestName } from './did-you-mean.js';
export { ConfigError } from './errors.js';
export type { ConfigProblem } from './errors.js';
