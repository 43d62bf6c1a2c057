export { defaultUserConfigPath, loadConfig, readConfigText, saveConfigChanges, writeConfigAtomically, writeConfigText } from './config-file.js';
export type { ConfigFs, LoadConfigOptions, LoadedConfig } from './config-file.js';
export { ConfigFileError, HistoryFileError, StateDirError } from './errors.js';
export { createHistoryFile, historyMaxBytes } from './history-file.js';
export type { HistoryFile, HistoryFileOptions, HistoryFs } from './history-file.js';
export { HISTORY_FILE, stateFiles, TOKEN_FILE } from './state-dir.js';
export type { StateFiles } from './state-dir.js';
export { ensureToken, isAuthorized, readToken } from './token.js';
export type { TokenOptions } from './token.js';
