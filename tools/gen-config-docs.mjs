// Generates docs/config.md from the config schema in @gov/policies, so the reference cannot
// drift from the code: `npm run docs:config` rewrites it, `--check` fails when it is stale, and
// a unit test compares the committed file with renderConfigDocs().
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configAliases, defaultConfig, describeConfig, renderConfigToml } from '@gov/policies';

const target = fileURLToPath(new URL('../docs/config.md', import.meta.url));

/** A value as it is written in TOML, for the tables. */
function toml(value) {
  if (Array.isArray(value)) return `[${value.map(toml).join(', ')}]`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const cell = (text) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The whole markdown text of docs/config.md. */
export function renderConfigDocs() {
  const out = [
    '# Config reference',
    '',
    '<!-- Generated from the zod schema in packages/policies by tools/gen-config-docs.mjs (npm run docs:config). Do not edit by hand. -->',
    '',
    '`govd` and `gov` read one TOML file. Every key is optional: a missing key, a missing table or no file at all',
    'means the defaults below. The first of these that exists is used:',
    '',
    '1. `govd --config PATH` / `gov config … --path PATH` (must exist)',
    '2. `$GOV_CONFIG` (must exist when set)',
    '3. `~/.config/gov/config.toml`',
    '4. `/etc/gov/config.toml`',
    '',
    '`gov config init` writes the commented default file (it never replaces an existing one without `--force`,',
    'and then keeps the old one as a `.bak`), `gov config validate` checks a file, `gov config show` prints the',
    'effective config, and `gov config schema` prints the JSON Schema that editors use for completion.',
    '',
    'A bad config is refused as a whole, with every problem listed by path, value and what is allowed, and an',
    'unknown key names the closest known one:',
    '',
    '```text',
    'invalid config /etc/gov/config.toml:',
    '  governor.check_interval_secs: 0 is below the minimum 1',
    '  governor.dynamic.min_wast_mb: unknown key; did you mean "min_waste_mb"?',
    '```',
    '',
  ];
  for (const table of describeConfig()) {
    out.push(`## \`[${table.table}]\``, '', table.description, '');
    if (table.keys.length === 0) continue;
    out.push('| key | allowed | default | what it does |', '| --- | --- | --- | --- |');
    for (const key of table.keys) out.push(`| \`${key.key}\` | ${cell(key.allowed)} | \`${cell(toml(key.default))}\` | ${cell(key.description)} |`);
    out.push('');
  }
  out.push(
    '## Names from the original design',
    '',
    'The `[wsl_governor]` table of the original design is read as `[governor]` (a file may use one or the',
    'other, not both), and its key names are accepted where they moved. Problems are reported with the names',
    'the file uses. Setting a key under both names is an error.',
    '',
    '| written as | read as |',
    '| --- | --- |',
    ...configAliases.map(({ from, to }) => `| \`${from}\` | \`${to}\` |`),
    '',
    '## The default file',
    '',
    'What `gov config init` writes:',
    '',
    '```toml',
    renderConfigToml(defaultConfig).trimEnd(),
    '```',
    '',
  );
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderConfigDocs();
  if (process.argv.includes('--check')) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== text) {
      console.error('docs/config.md is out of date; run: npm run docs:config');
      process.exitCode = 1;
    }
  } else {
    await writeFile(target, text);
    console.log(`wrote ${target}`);
  }
}
