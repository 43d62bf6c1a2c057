import { stringify as stringifyToml } from 'smol-toml';
import { z } from 'zod';
import { configSchema, type GovConfig } from './config-schema.js';
import { LEGACY_GOVERNOR_TABLE, valueAt } from './config.js';

// The config described for people and editors: its JSON Schema, every key's documentation, and
// the commented file `gov config init` writes.

/** One node of the config's JSON Schema (draft 2020-12), as `configJsonSchema()` writes it. */
export type JsonSchemaNode = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  pattern?: string;
  maxItems?: number;
  deprecated?: boolean;
  /** The allowed values in words, where the type and range would not say it. */
  'x-allowed'?: string;
  [key: string]: unknown;
};

/** The JSON Schema (draft 2020-12) of the config file, for editors' completion and validation. */
export function configJsonSchema(): JsonSchemaNode {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchemaNode;
  return {
    $schema: generated['$schema'],
    title: 'gov config',
    description: 'The config file of the gov memory governor (TOML), as `gov config init` writes it.',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
    properties: {
      ...generated.properties,
      [LEGACY_GOVERNOR_TABLE]: { type: 'object', deprecated: true, description: 'The original name of [governor]; its flat keys windows_target_available_percent, reclaim_interval_secs, auto_pause_idle_containers and idle_container_threshold_minutes are accepted too.' },
    },
  };
}

/** One documented key of the config, in file order: what docs and `gov config init` print. */
export interface ConfigKeyDoc {
  /** Dotted path, e.g. `governor.dynamic.min_waste_mb`. */
  path: string;
  /** The table the key sits in, e.g. `governor.dynamic`. */
  table: string;
  key: string;
  description: string;
  /** A short statement of the allowed values, e.g. `integer, 1–86400`. */
  allowed: string;
  default: unknown;
}

/** One table of the config with its description and scalar keys, in file order. */
export interface ConfigTableDoc {
  table: string;
  description: string;
  keys: ConfigKeyDoc[];
}

function allowedText(node: JsonSchemaNode): string {
  // Patterns are unreadable in prose; such keys carry their own wording.
  if (typeof node['x-allowed'] === 'string') return node['x-allowed'];
  if (node.enum) return `one of ${node.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  if (node.type === 'array') {
    const items = node.items ?? {};
    const what = items.pattern === undefined ? `${items.type ?? 'value'}s` : `${items.type ?? 'value'}s matching \`${items.pattern}\``;
    return `array of ${what}${node.maxItems === undefined ? '' : `, at most ${String(node.maxItems)}`}`;
  }
  if (node.type === 'integer' || node.type === 'number') {
    const range = node.minimum !== undefined && node.maximum !== undefined ? `, ${node.minimum}–${node.maximum}` : '';
    return `${node.type}${range}`;
  }
  if (node.type === 'string' && node.pattern !== undefined) return `string matching \`${node.pattern}\``;
  return String(node.type ?? 'value');
}

/** Every table and key of the config with its description, allowed values and default. */
export function describeConfig(): ConfigTableDoc[] {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchemaNode;
  const tables: ConfigTableDoc[] = [];
  const visit = (table: string, node: JsonSchemaNode) => {
    const doc: ConfigTableDoc = { table, description: node.description ?? '', keys: [] };
    tables.push(doc);
    const nested: Array<[string, JsonSchemaNode]> = [];
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (child.type === 'object') nested.push([`${table}.${key}`, child]);
      else doc.keys.push({ path: `${table}.${key}`, table, key, description: child.description ?? '', allowed: allowedText(child), default: child.default });
    }
    for (const [name, child] of nested) visit(name, child);
  };
  for (const [key, child] of Object.entries(schema.properties ?? {})) visit(key, child);
  return tables;
}

function wrapComment(text: string, width = 96): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/**
 * Writes a config as a commented TOML file (what `gov config init` writes): every key with its
 * description, allowed values and default. Parsing the text back gives the same config.
 */
export function renderConfigToml(config: GovConfig): string {
  const out: string[] = [
    '# gov config. Every key is optional: a missing key takes the default shown above it.',
    '# Reference: docs/config.md. JSON Schema for editors: `gov config schema`.',
  ];
  for (const table of describeConfig()) {
    out.push('', `[${table.table}]`);
    if (table.description) out.push(...wrapComment(table.description));
    for (const key of table.keys) {
      const value = valueAt(config, key.path.split('.'));
      out.push('');
      out.push(...wrapComment(key.description));
      out.push(`# ${key.allowed}; default ${stringifyToml({ v: key.default }).slice('v = '.length).trim()}`);
      out.push(stringifyToml({ [key.key]: value }).trim());
    }
  }
  return `${out.join('\n')}\n`;
}
