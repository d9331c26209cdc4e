// Rewrites the README's configuration table and `.env.example` from the config
// schemas (AppModule.configs in dist/). Run after adding or changing a variable:
//   npm run build && node scripts/config-docs.js
// src/config/config-docs.spec.ts fails when the two files and the schemas disagree.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const { AppModule } = require(join(root, 'dist', 'app.module.js'));

/** The default of a variable's schema, as the string a user would write in the environment. */
function defaultOf(schema) {
  const def = schema._zod.def;
  switch (def.type) {
    case 'default':
      return String(typeof def.defaultValue === 'function' ? def.defaultValue() : def.defaultValue);
    case 'pipe':
      return defaultOf(def.in);
    case 'optional':
      return '';
    default:
      throw new Error(`cannot read the default of a ${def.type} schema`);
  }
}

const sections = AppModule.configs.map((definition) => ({
  name: definition.name,
  vars: Object.entries(definition.env.shape).map(([name, schema]) => ({ name, value: defaultOf(schema), description: schema.description })),
}));

// README: replace the table rows in the Configuration section.
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf('\n## Configuration');
const end = readme.indexOf('\n## ', start + 1);
const section = readme.slice(start, end);
const header = '| variable | default | meaning |\n|---|---|---|\n';
const tableStart = section.indexOf(header);
if (tableStart < 0) throw new Error('README: no configuration table header in "## Configuration"');
const rowsStart = tableStart + header.length;
let rowsEnd = rowsStart;
while (section.startsWith('|', rowsEnd)) rowsEnd = section.indexOf('\n', rowsEnd) + 1;
const rows = sections
  .flatMap((s) => s.vars)
  .map((v) => `| \`${v.name}\` | ${v.value === '' ? '(none)' : `\`${v.value}\``} | ${v.description} |\n`)
  .join('');
writeFileSync(readmePath, readme.slice(0, start) + section.slice(0, rowsStart) + rows + section.slice(rowsEnd) + readme.slice(end));

// .env.example: keep the opening comment block, rewrite the rest.
const envPath = join(root, '.env.example');
const intro = readFileSync(envPath, 'utf8').split(/\n\n/)[0];
const body = sections
  .map((s) => [`# --- ${s.name} ---`, ...s.vars.flatMap((v) => [`# ${v.description}`, `${v.name}=${v.value}`])].join('\n'))
  .join('\n\n');
writeFileSync(envPath, `${intro}\n\n${body}\n`);
console.log(`config docs: ${sections.reduce((n, s) => n + s.vars.length, 0)} variables written to README.md and .env.example`);
