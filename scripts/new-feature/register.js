// Registers a generated feature in the lists the catalog is in: src/app.module.ts (import, configs,
// apiFeatures, workerFeatures, migrations) and, for a degradable feature, the switches of
// deploy/k8s/configmap.yaml. Writes the edited copies into the stage; returns their project paths.
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const APP_MODULE = join('src', 'app.module.ts');
const CONFIGMAP = join('deploy', 'k8s', 'configmap.yaml');

/** Replaces the one match of `pattern` in `text` with `replace(match…)`; a missing list is an error naming it. */
function edit(text, pattern, replace, what) {
  const match = pattern.exec(text);
  if (!match) throw new Error(`${APP_MODULE}: cannot find ${what}; register the feature there by hand (README, "Adding a feature module")`);
  return text.slice(0, match.index) + replace(...match) + text.slice(match.index + match[0].length);
}

/** `[a, b]` + `c` → `[a, b, c]`, whatever the layout (Prettier runs afterwards). */
const append = (items, added) => (items.trim() === '' ? added.join(', ') : `${items.replace(/,?\s*$/, '')}, ${added.join(', ')}`);

function register(options, names, root, stage) {
  const { name } = options;
  const { nameCamel, Name, NAME } = names;
  const exported = [`${nameCamel}Config`, `${Name}Module`, `${NAME}_MIGRATIONS`];
  const workers = [];
  if (options.writeBehind) workers.push(`${Name}WritesModule`);
  if (options.jobs) workers.push(`${Name}JobsModule`);
  exported.push(...workers);

  let text = readFileSync(join(root, APP_MODULE), 'utf8');
  const importLine = `import { ${exported.join(', ')} } from './features/${name}';\n`;
  text = edit(text, /((?:^import [^;]+ from '\.\/features\/[^']+';\n)+)/m, (imports) => imports + importLine, "the imports of './features/…'");
  text = edit(
    text,
    /(static readonly configs = \[)([^\]]*)(\];)/,
    (_, open, items, close) => `${open}${append(items, [`${nameCamel}Config`])}${close}`,
    'AppModule.configs',
  );
  text = edit(text, /(apiFeatures = \[)([^\]]*)(\])/, (_, open, items, close) => `${open}${append(items, [`${Name}Module`])}${close}`, 'AppModule.apiFeatures');
  if (workers.length > 0)
    text = edit(text, /(workerFeatures = \[)([^\]]*)(\])/, (_, open, items, close) => `${open}${append(items, workers)}${close}`, 'AppModule.workerFeatures');
  text = edit(
    text,
    /(DatabaseModule\.forRoot\(\{ migrations: \[)([^\]]*)(\] \}\))/,
    (_, open, items, close) => `${open}${append(items, [`...${NAME}_MIGRATIONS`])}${close}`,
    'the migrations of DatabaseModule.forRoot',
  );
  const edited = [[APP_MODULE, text]];

  if (options.degradable && require('node:fs').existsSync(join(root, CONFIGMAP))) {
    const yaml = readFileSync(join(root, CONFIGMAP), 'utf8');
    const match = /( *)switches:\n((?:\1 +[a-z][a-z0-9._-]*: (?:on|off|fallback)\n)*)/.exec(yaml);
    if (!match) throw new Error(`${CONFIGMAP}: cannot find the switches list; add "${name}: on" there by hand`);
    const indent = `${match[1]}  `;
    const end = match.index + match[0].length;
    edited.push([CONFIGMAP, `${yaml.slice(0, end)}${indent}${name}: on\n${yaml.slice(end)}`]);
  }

  for (const [file, content] of edited) {
    mkdirSync(dirname(join(stage, file)), { recursive: true });
    writeFileSync(join(stage, file), content);
  }
  return edited.map(([file]) => file);
}

module.exports = { register };
