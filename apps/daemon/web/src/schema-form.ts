import type { JsonSchemaNode } from '@gov/policies';

/** One input of the form, for one key of the config. */
export interface Field {
  /** Dotted path, as the server names it in a validation problem: `governor.dynamic.min_waste_mb`. */
  path: string;
  key: string;
  label: string;
  kind: 'boolean' | 'integer' | 'number' | 'enum' | 'string' | 'string-list';
  description: string;
  default: unknown;
  minimum: number | null;
  maximum: number | null;
  options: string[];
  /** What is allowed, in words: `integer, 1–86400`. */
  allowed: string;
}

/** One table of the config: its keys and its sub-tables. */
export interface FieldGroup {
  path: string;
  title: string;
  description: string;
  fields: Field[];
  groups: FieldGroup[];
}

const UNITS: Array<[RegExp, string]> = [
  [/_mb$/, 'MiB'],
  [/_secs$/, 's'],
  [/_minutes$/, 'min'],
  [/_percent$/, '%'],
  [/_per_sec$/, '/s'],
];

/** `check_interval_secs` → `Check interval (s)`. */
export function labelOf(key: string): string {
  const unit = UNITS.find(([pattern]) => pattern.test(key));
  const words = (unit ? key.replace(unit[0], '') : key).replace(/_/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${unit ? ` (${unit[1]})` : ''}`;
}

function kindOf(node: JsonSchemaNode): Field['kind'] {
  if (node.enum) return 'enum';
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'number';
  if (node.type === 'array') return 'string-list';
  return 'string';
}

function allowedOf(node: JsonSchemaNode, kind: Field['kind']): string {
  if (node['x-allowed']) return node['x-allowed'];
  if (kind === 'enum') return `one of ${(node.enum ?? []).join(', ')}`;
  if (kind === 'integer' || kind === 'number') return `${kind === 'integer' ? 'whole number' : 'number'}${node.minimum !== undefined && node.maximum !== undefined ? `, ${node.minimum}–${node.maximum}` : ''}`;
  if (kind === 'string-list') return 'a list, comma-separated';
  if (kind === 'boolean') return 'on or off';
  return 'text';
}

/** The form of a config's JSON Schema: one group per table (deprecated ones left out), one field per key. */
export function formFromSchema(schema: JsonSchemaNode): FieldGroup[] {
  const group = (path: string, node: JsonSchemaNode): FieldGroup => {
    const result: FieldGroup = { path, title: path, description: node.description ?? '', fields: [], groups: [] };
    for (const [childKey, child] of Object.entries(node.properties ?? {})) {
      if (child.deprecated) continue;
      const childPath = path === '' ? childKey : `${path}.${childKey}`;
      if (child.type === 'object') {
        result.groups.push(group(childPath, child));
        continue;
      }
      const kind = kindOf(child);
      result.fields.push({
        path: childPath,
        key: childKey,
        label: labelOf(childKey),
        kind,
        description: child.description ?? '',
        default: child.default,
        minimum: child.minimum ?? null,
        maximum: child.maximum ?? null,
        options: (child.enum ?? []).map(String),
        allowed: allowedOf(child, kind),
      });
    }
    return result;
  };
  return group('', schema).groups;
}

/** The value at a dotted path of a config object. */
export function valueAt(config: unknown, path: string): unknown {
  let node = config;
  for (const part of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** A copy of `config` with the value at `path` replaced. */
export function withValue<T>(config: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const table = (config ?? {}) as Record<string, unknown>;
  return { ...table, [head as string]: rest.length === 0 ? value : withValue(table[head as string], rest.join('.'), value) } as T;
}

/** What an input shows for a value. */
export function inputText(field: Field, value: unknown): string {
  if (field.kind === 'string-list') return Array.isArray(value) ? value.join(', ') : '';
  return value === undefined || value === null ? '' : String(value);
}

/**
 * The value to send for what was typed. A number field takes what parses as a number and sends
 * anything else as it was typed, so the server says what is wrong with it; an empty one is
 * its default.
 */
export function parseInput(field: Field, text: string): unknown {
  const trimmed = text.trim();
  if (field.kind === 'string-list') return trimmed === '' ? [] : trimmed.split(/\s*,\s*/).filter((item) => item !== '');
  if (field.kind === 'integer' || field.kind === 'number') {
    if (trimmed === '') return field.default;
    return /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(trimmed) ? Number(trimmed) : trimmed;
  }
  return text;
}

/** The problems of a `400 GOV_CONFIG_INVALID` answer (`details`), by the path of their key. */
export function problemsByPath(details: unknown): Map<string, string> {
  const problems = new Map<string, string>();
  if (!Array.isArray(details)) return problems;
  for (const problem of details as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof problem?.path !== 'string' || typeof problem.message !== 'string') continue;
    // An entry of a list (`docker.allow[2]`) belongs to the list's field.
    const path = problem.path.replace(/\[\d+\]$/, '');
    problems.set(path, problems.has(path) ? `${problems.get(path)}; ${problem.message}` : problem.message);
  }
  return problems;
}
