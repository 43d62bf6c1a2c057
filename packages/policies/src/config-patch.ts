import { stringify as stringifyToml } from 'smol-toml';
import type { GovConfig } from './config-schema.js';
import { configAliases, describeConfig, parseConfigToml } from './config.js';

/** One key whose value a config change sets, by its dotted path (`governor.dynamic.min_waste_mb`). */
export interface ConfigChange {
  path: string;
  value: unknown;
}

/** Where a key's value sits in the text: its line, and the character range of the value. */
interface ValueSpan {
  line: number;
  start: number;
  /** The line the value ends on (a multi-line array ends lines later) and the column after it. */
  endLine: number;
  end: number;
}

interface Layout {
  lines: string[];
  /** Canonical key path → where its value is written. */
  values: Map<string, ValueSpan>;
  /** Canonical table path → the line of its header and the last line holding one of its keys. */
  tables: Map<string, { header: number; lastKey: number }>;
  /** Whether the file names `[governor]` by its original name, `[wsl_governor]`. */
  legacy: boolean;
}

const LEGACY_GOVERNOR_TABLE = 'wsl_governor';
const BARE_KEY = /^[A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*/;
const TABLE_HEADER = /^\s*\[\s*([A-Za-z0-9_.\s-]+?)\s*\]\s*(?:#.*)?$/;

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function valueAt(root: unknown, path: string[]): unknown {
  let node = root;
  for (const part of path) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** The keys (scalars and arrays: what a TOML line holds) whose values differ between two configs. */
export function changedConfigKeys(before: GovConfig, after: GovConfig): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const table of describeConfig()) {
    for (const key of table.keys) {
      const path = key.path.split('.');
      const value = valueAt(after, path);
      if (!sameValue(valueAt(before, path), value)) changes.push({ path: key.path, value });
    }
  }
  return changes;
}

/** A table path as the schema names it: the original `[wsl_governor]` is `[governor]`. */
function canonicalTable(table: string): string {
  return table === LEGACY_GOVERNOR_TABLE || table.startsWith(`${LEGACY_GOVERNOR_TABLE}.`) ? `governor${table.slice(LEGACY_GOVERNOR_TABLE.length)}` : table;
}

/** A key path as the schema names it, after the original design's aliases. */
function canonicalKey(path: string): string {
  return configAliases.find((alias) => alias.from === path)?.to ?? path;
}

/**
 * Where the value starting at `(line, start)` ends: the end of the line or the start of its
 * comment for a scalar, the closing bracket (maybe lines later) for an array. `null` for what a
 * line edit cannot rewrite safely: multi-line strings and inline tables.
 */
function valueEnd(lines: string[], line: number, start: number): { endLine: number; end: number } | null {
  const first = lines[line] ?? '';
  if (first.startsWith('"""', start) || first.startsWith("'''", start) || first[start] === '{') return null;
  let depth = 0;
  let quote: '"' | "'" | null = null;
  let lastValueChar = { line, column: start };
  for (let l = line; l < lines.length; l += 1) {
    const text = lines[l] ?? '';
    for (let c = l === line ? start : 0; c < text.length; c += 1) {
      const char = text[c];
      if (quote !== null) {
        if (char === '\\' && quote === '"') c += 1;
        else if (char === quote) quote = null;
        lastValueChar = { line: l, column: c };
        continue;
      }
      if (char === '#') break;
      if (char === '"' || char === "'") quote = char;
      else if (char === '[') depth += 1;
      else if (char === ']') depth -= 1;
      if (char !== ' ' && char !== '\t') lastValueChar = { line: l, column: c };
      if (depth === 0 && char === ']') return { endLine: l, end: c + 1 };
    }
    if (quote !== null) return null;
    if (depth === 0) return { endLine: l, end: lastValueChar.line === l ? lastValueChar.column + 1 : text.length };
  }
  return null;
}

/** Finds every table header and `key = value` of a TOML text, by canonical path. */
function readLayout(text: string): Layout | null {
  const lines = text.split('\n');
  const values = new Map<string, ValueSpan>();
  const tables = new Map<string, { header: number; lastKey: number }>();
  let table = '';
  let legacy = false;
  for (let line = 0; line < lines.length; line += 1) {
    const content = lines[line] ?? '';
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('[')) {
      const header = TABLE_HEADER.exec(content);
      // An array of tables has no place in the config; leave such a file to a rewrite.
      if (header === null || trimmed.startsWith('[[')) return null;
      const written = header[1]?.split('.').map((part) => part.trim()).join('.') ?? '';
      table = canonicalTable(written);
      legacy ||= table !== written;
      tables.set(table, { header: line, lastKey: line });
      continue;
    }
    const indent = content.length - content.trimStart().length;
    const key = BARE_KEY.exec(content.slice(indent));
    const afterKey = key ? content.slice(indent + key[0].length) : '';
    const equals = /^\s*=\s*/.exec(afterKey);
    if (!key || !equals) return null;
    const start = indent + key[0].length + equals[0].length;
    const end = valueEnd(lines, line, start);
    const keyPath = key[0].split('.').map((part) => part.trim());
    const path = canonicalKey([...(table === '' ? [] : table.split('.')), ...keyPath].join('.'));
    if (end === null) {
      values.delete(path);
    } else {
      values.set(path, { line, start, ...end });
      line = end.endLine;
    }
    const owner = tables.get(table);
    if (owner) owner.lastKey = line;
  }
  return { lines, values, tables, legacy };
}

const tomlValue = (value: unknown) => stringifyToml({ v: value }).slice('v = '.length).trim();

function setPath(root: Record<string, unknown>, path: string[], value: unknown): void {
  let node = root;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[path[path.length - 1] as string] = value;
}

/**
 * Writes `changes` into a config file's text, touching only their lines: every comment, blank
 * line, key order and spelling (`[wsl_governor]`, the original key names) of the rest stays as
 * the user wrote it. A key the file does not have yet goes after the last key of its table, or
 * into a new table at the end. Returns the new text and the config it holds, or `null` when the
 * file is written in a way a line edit cannot be sure of (an inline table, a multi-line string, a
 * key spelled in quotes) — the caller then rewrites the whole file. The result is checked: its
 * config must be the file's config with exactly these changes.
 */
export function patchConfigToml(text: string, changes: readonly ConfigChange[], sourceName = '(config)'): { text: string; config: GovConfig } | null {
  let expected: GovConfig;
  try {
    expected = structuredClone(parseConfigToml(text, sourceName));
  } catch {
    return null;
  }
  const layout = readLayout(text);
  if (layout === null) return null;
  const lines = [...layout.lines];
  const inserts = new Map<number, string[]>();
  const appended = new Map<string, string[]>();
  const edits: Array<{ span: ValueSpan; value: string }> = [];
  for (const change of changes) {
    const path = change.path.split('.');
    setPath(expected as unknown as Record<string, unknown>, path, change.value);
    const span = layout.values.get(change.path);
    if (span) {
      edits.push({ span, value: tomlValue(change.value) });
      continue;
    }
    const table = path.slice(0, -1).join('.');
    const line = `${path[path.length - 1]} = ${tomlValue(change.value)}`;
    const existing = layout.tables.get(table);
    if (existing) inserts.set(existing.lastKey, [...(inserts.get(existing.lastKey) ?? []), line]);
    else appended.set(table, [...(appended.get(table) ?? []), line]);
  }
  // Later spans first, so earlier line numbers stay right.
  for (const { span, value } of edits.sort((a, b) => b.span.line - a.span.line)) {
    const head = (lines[span.line] ?? '').slice(0, span.start);
    const tail = (lines[span.endLine] ?? '').slice(span.end);
    lines.splice(span.line, span.endLine - span.line + 1, `${head}${value}${tail}`);
    // Inserts below a collapsed multi-line value move up with it.
    const removed = span.endLine - span.line;
    if (removed > 0) {
      for (const [at, added] of [...inserts].filter(([at]) => at >= span.endLine)) {
        inserts.delete(at);
        inserts.set(at - removed, added);
      }
    }
  }
  for (const [at, added] of [...inserts].sort((a, b) => b[0] - a[0])) lines.splice(at + 1, 0, ...added);
  let patched = lines.join('\n');
  const spelled = (table: string) => (layout.legacy && (table === 'governor' || table.startsWith('governor.')) ? `${LEGACY_GOVERNOR_TABLE}${table.slice('governor'.length)}` : table);
  for (const [table, added] of appended) patched = `${patched.trim() === '' ? '' : patched.replace(/\n*$/, '\n\n')}[${spelled(table)}]\n${added.join('\n')}\n`;
  try {
    const config = parseConfigToml(patched, sourceName);
    return sameValue(config, expected) ? { text: patched, config } : null;
  } catch {
    return null;
  }
}
