import { isAbsolute, join } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { configSchema, defaultConfig, type GovConfig } from './config-schema.js';
import { suggestName } from './did-you-mean.js';
import { ConfigError, MAX_LISTED_PROBLEMS, type ConfigProblem } from './errors.js';

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** The original design's name for the `[governor]` table. */
export const LEGACY_GOVERNOR_TABLE = 'wsl_governor';

/**
 * Key names of the original design (its `[wsl_governor]` example and policy fields), mapped to
 * where they live now. Applied after `[wsl_governor]` is read as `[governor]`.
 */
export const configAliases: ReadonlyArray<{ from: string; to: string }> = [
  { from: 'governor.windows_target_available_percent', to: 'governor.dynamic.host_target_available_percent' },
  { from: 'governor.dynamic.windows_target_available_percent', to: 'governor.dynamic.host_target_available_percent' },
  { from: 'governor.reclaim_interval_secs', to: 'governor.dynamic.reclaim_interval_secs' },
  { from: 'governor.auto_pause_idle_containers', to: 'docker.auto_pause_idle_containers' },
  { from: 'governor.idle_container_threshold_minutes', to: 'docker.idle_container_threshold_minutes' },
  { from: 'governor.aggressive.windows_pressure_threshold', to: 'governor.aggressive.host_pressure_threshold_percent' },
  { from: 'governor.windows_pressure_threshold', to: 'governor.aggressive.host_pressure_threshold_percent' },
  { from: 'governor.target_reclaim_mb', to: 'governor.aggressive.target_reclaim_mb' },
  { from: 'governor.conservative.windows_critical_threshold', to: 'governor.conservative.host_critical_threshold_percent' },
  { from: 'governor.windows_critical_threshold', to: 'governor.conservative.host_critical_threshold_percent' },
  { from: 'governor.compact_times', to: 'governor.scheduled.compact_times' },
];

interface Normalized {
  value: Table;
  problems: ConfigProblem[];
  /** Canonical path → the path as the user wrote it, for every key that was renamed. */
  spelledAs: (path: string) => string;
}

function cloneTable(table: Table): Table {
  const copy: Table = {};
  // defineProperty, not assignment: a "__proto__" key (JSON.parse makes it an own key) stays a
  // key, which the schema then refuses as unknown, instead of becoming the copy's prototype.
  for (const [key, value] of Object.entries(table)) Object.defineProperty(copy, key, { value: isTable(value) ? cloneTable(value) : value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function lookup(root: Table, path: string[]): { parent: Table; key: string } | null {
  let node: Table = root;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (!isTable(next)) return null;
    node = next;
  }
  const key = path[path.length - 1] as string;
  return { parent: node, key };
}

function ensureTable(root: Table, path: string[]): Table | null {
  let node: Table = root;
  for (const part of path) {
    if (node[part] === undefined) node[part] = {};
    const next = node[part];
    if (!isTable(next)) return null;
    node = next;
  }
  return node;
}

/** Rewrites the original design's names into the schema's, remembering how the user spelled each key. */
function normalizeAliases(raw: Table): Normalized {
  const value = cloneTable(raw);
  const problems: ConfigProblem[] = [];
  const renamed = new Map<string, string>();
  let legacyTable = false;

  if (LEGACY_GOVERNOR_TABLE in value) {
    if ('governor' in value) {
      problems.push({ path: LEGACY_GOVERNOR_TABLE, value: value[LEGACY_GOVERNOR_TABLE], message: 'both [governor] and [wsl_governor] are set; [wsl_governor] is the original name of [governor], keep one' });
      delete value[LEGACY_GOVERNOR_TABLE];
    } else {
      value['governor'] = value[LEGACY_GOVERNOR_TABLE];
      delete value[LEGACY_GOVERNOR_TABLE];
      legacyTable = true;
    }
  }
  const userPath = (canonical: string) => (legacyTable && (canonical === 'governor' || canonical.startsWith('governor.')) ? `${LEGACY_GOVERNOR_TABLE}${canonical.slice('governor'.length)}` : canonical);

  for (const alias of configAliases) {
    const from = lookup(value, alias.from.split('.'));
    if (!from || !(from.key in from.parent)) continue;
    const aliasValue = from.parent[from.key];
    delete from.parent[from.key];
    const toPath = alias.to.split('.');
    const target = ensureTable(value, toPath.slice(0, -1));
    const targetKey = toPath[toPath.length - 1] as string;
    if (target === null) continue; // the target table has the wrong type; the schema reports it
    if (targetKey in target) {
      problems.push({ path: userPath(alias.from), value: aliasValue, message: `is the original name of ${userPath(alias.to)}, which is also set; keep one` });
      continue;
    }
    target[targetKey] = aliasValue;
    renamed.set(alias.to, userPath(alias.from));
  }
  return { value, problems, spelledAs: (path) => renamed.get(path) ?? userPath(path) };
}

/** The longest a value is shown in a problem's message. */
const MAX_SHOWN_CHARS = 120;

const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  // TOML's own spelling: JSON would show these as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > MAX_SHOWN_CHARS ? `${shown.slice(0, MAX_SHOWN_CHARS)}…` : shown;
};

const kindOf = (value: unknown): string => {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'not a finite number';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  if (typeof value === 'number' && Number.isInteger(value)) return 'an integer';
  return { number: 'a number', string: 'a string', boolean: 'a boolean', bigint: 'an integer' }[typeof value as string] ?? typeof value;
};

const EXPECTED: Record<string, string> = { number: 'a number', int: 'a whole number', string: 'a string', boolean: 'true or false', array: 'an array', object: 'a table' };

/** The value at `path` under `root`, or `undefined`. */
export function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === 'number') node = node[part];
    else if (isTable(node)) node = node[String(part)];
    else return undefined;
  }
  return node;
}

function knownKeysAt(path: PropertyKey[]): string[] {
  const node = valueAt(defaultConfig, path);
  return isTable(node) ? Object.keys(node) : [];
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text === '' ? String(part) : `${text}.${String(part)}`), '');
}

/** How many problems an issue stands for: one per unknown key, else one. */
const problemCount = (issue: z.core.$ZodIssue): number => (issue.code === 'unrecognized_keys' ? issue.keys.length : 1);

/** The problems of one issue, at most `room` of them. */
function problemsFromIssue(issue: z.core.$ZodIssue, input: Table, spelledAs: (path: string) => string, room: number): ConfigProblem[] {
  if (room <= 0) return [];
  const value = valueAt(input, issue.path);
  const path = spelledAs(formatPath(issue.path));
  const shown = describeValue(value);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.slice(0, room).map((key) => {
        const known = knownKeysAt(issue.path);
        const suggestion = suggestName(key, known);
        const keyPath = spelledAs(formatPath([...issue.path, key]));
        const hint = suggestion ? `did you mean "${suggestion}"?` : `known keys: ${known.join(', ')}`;
        return { path: keyPath, value: valueAt(input, [...issue.path, key]), message: `unknown key; ${hint}` };
      });
    case 'too_small':
      if (issue.origin === 'string') return [{ path, value, message: 'must not be empty' }];
      if (issue.origin === 'array') return [{ path, value, message: `needs at least ${issue.minimum} entries` }];
      return [{ path, value, message: `${shown} is below the minimum ${issue.minimum}` }];
    case 'too_big':
      if (issue.origin === 'array') return [{ path, value, message: `has ${Array.isArray(value) ? value.length : '?'} entries; at most ${issue.maximum} are allowed` }];
      if (issue.origin === 'string') return [{ path, value, message: `is longer than ${issue.maximum} characters` }];
      return [{ path, value, message: `${shown} is above the maximum ${issue.maximum}` }];
    case 'invalid_type':
      return [{ path, value, message: `${shown} is ${kindOf(value)}; expected ${EXPECTED[issue.expected] ?? issue.expected}` }];
    case 'invalid_value':
      return [{ path, value, message: `${shown} is not one of ${issue.values.map((allowed) => describeValue(allowed)).join(', ')}` }];
    case 'invalid_format':
      return [{ path, value, message: `${shown} is not ${issue.message}` }];
    default:
      return [{ path, value, message: issue.message }];
  }
}

/**
 * Validates a config object (as parsed from TOML or JSON), fills in every default and returns it.
 * Accepts the original design's `[wsl_governor]` table and key names. Throws a `ConfigError` listing every
 * problem with its path, the value found and what is allowed.
 */
/** Deeper than this is no config (its tables nest three deep): refused before anything walks it. */
const MAX_CONFIG_DEPTH = 16;

/** The path of the first value nested deeper than `MAX_CONFIG_DEPTH`, or `null`; walks without recursion. */
function tooDeepAt(root: unknown): PropertyKey[] | null {
  interface Node {
    value: unknown;
    depth: number;
    key: PropertyKey;
    parent: Node | null;
  }
  const stack: Node[] = [{ value: root, depth: 0, key: '', parent: null }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.depth > MAX_CONFIG_DEPTH) {
      const path: PropertyKey[] = [];
      for (let at: Node | null = node; at?.parent; at = at.parent) path.unshift(at.key);
      return path;
    }
    const { value } = node;
    if (typeof value !== 'object' || value === null) continue;
    const entries: Iterable<[PropertyKey, unknown]> = Array.isArray(value) ? value.entries() : isTable(value) ? Object.entries(value) : [];
    for (const [key, item] of entries) if (typeof item === 'object' && item !== null) stack.push({ value: item, depth: node.depth + 1, key, parent: node });
  }
  return null;
}

/**
 * Validates a config object (as parsed from TOML or JSON), fills in every default and returns it.
 * Accepts the original design's `[wsl_governor]` table and key names. Throws a `ConfigError` listing
 * the problems with their path, the value found and what is allowed (at most
 * `MAX_LISTED_PROBLEMS`, the rest counted); a value nested deeper than any config is one problem.
 */
export function validateConfig(raw: unknown, sourceName = '(object)'): GovConfig {
  const deep = tooDeepAt(raw);
  if (deep) {
    const path = formatPath(deep);
    throw new ConfigError(sourceName, [{ path: path.length > MAX_SHOWN_CHARS ? `${path.slice(0, MAX_SHOWN_CHARS)}…` : path, value: undefined, message: `nested more than ${MAX_CONFIG_DEPTH} levels deep; a config's tables nest three deep` }]);
  }
  if (!isTable(raw)) throw new ConfigError(sourceName, [{ path: '', value: raw, message: `${kindOf(raw)} is not a config; expected a table of settings` }]);
  const normalized = normalizeAliases(raw);
  const result = configSchema.safeParse(normalized.value);
  const problems = [...normalized.problems];
  let omitted = 0;
  if (!result.success) {
    for (const issue of result.error.issues) {
      const found = problemsFromIssue(issue, normalized.value, normalized.spelledAs, Math.max(0, MAX_LISTED_PROBLEMS - problems.length));
      // A loop, not push(...found): one issue can name every key of a table, and a spread of 100 000 overflows the stack.
      for (const problem of found) problems.push(problem);
      omitted += problemCount(issue) - found.length;
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(sourceName, problems, { omitted, ...(result.success ? {} : { cause: result.error }) });
  return result.data;
}

/**
 * Parses and validates a TOML config. An empty text is the default config. A TOML syntax error
 * is reported with its line and column.
 */
export function parseConfigToml(text: string, sourceName = '(config)'): GovConfig {
  let raw: unknown;
  try {
    // A byte-order mark (as Windows editors write) is no part of TOML: skip it.
    raw = parseToml(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ConfigError(sourceName, [{ path: '', value: undefined, message: `keys nested too deeply to read (${error.message}); a config's tables nest three deep` }], { cause: error });
    }
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
    throw new ConfigError(sourceName, [{ path: '', value: undefined, message: `TOML syntax error at line ${error.line}, column ${error.column}: ${reason}` }], { cause: error });
  }
  return validateConfig(raw, sourceName);
}

/**
 * Where govd and gov look for the config file, first match wins: `$GOV_CONFIG` (when set),
 * `~/.config/gov/config.toml`, `/etc/gov/config.toml`. No file at all means the defaults.
 */
export function configSearchPaths(options: { env: Record<string, string | undefined>; home: string }): string[] {
  const paths: string[] = [];
  const fromEnv = options.env['GOV_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') paths.push(fromEnv);
  paths.push(join(options.home, '.config', 'gov', 'config.toml'), '/etc/gov/config.toml');
  return paths;
}

/**
 * govd's state directory: `$GOV_STATE_DIR`, else `$STATE_DIRECTORY` (what systemd's
 * `StateDirectory=` hands a service; the first when it lists several), else `daemon.state_dir`
 * with a leading `~` replaced by the home directory. Without `env`, the config's alone. Throws a
 * `ConfigError` when the result is not absolute on this system (a Windows drive path on Linux, a
 * relative home or variable).
 */
export function resolveStateDir(config: GovConfig, home: string, env: Record<string, string | undefined> = {}): string {
  const fromEnv = env['GOV_STATE_DIR'] || env['STATE_DIRECTORY']?.split(':')[0];
  const dir = fromEnv || config.daemon.state_dir;
  const where = env['GOV_STATE_DIR'] ? 'GOV_STATE_DIR' : fromEnv ? 'STATE_DIRECTORY' : 'daemon.state_dir';
  const resolved = dir === '~' ? home : dir.startsWith('~/') || dir.startsWith('~\\') ? join(home, dir.slice(2)) : dir;
  if (!isAbsolute(resolved)) {
    throw new ConfigError(where, [{ path: where, value: dir, message: `${JSON.stringify(dir)} resolves to ${JSON.stringify(resolved)}, which is not an absolute path on this system` }]);
  }
  return resolved;
}
