// Renders the templates of scripts/new-feature/templates/ for one feature (see scripts/new-feature.js).
// Templates are `<file>.tpl` (so that neither ESLint nor tsc reads them). Template syntax: `{{token}}` (see namesOf) anywhere, in file names too; lines `// #if <flag>`,
// `// #if !<flag>`, `// #else`, `// #endif` (flags: writeBehind, degradable, jobs) keep or drop the lines between.
const { mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const TEMPLATES = join(__dirname, 'templates');

/** Files that exist only with an option (template names). */
const FILE_FLAGS = {
  '{{thing}}-write.repository.ts.tpl': 'writeBehind',
  '{{name}}-writes.module.ts.tpl': 'writeBehind',
  '{{name}}.fallback.ts.tpl': 'degradable',
  '{{name}}.jobs.ts.tpl': 'jobs',
  '{{name}}.publisher.ts.tpl': 'jobs',
  '{{name}}.processor.ts.tpl': 'jobs',
  '{{name}}.processor.spec.ts.tpl': 'jobs',
  '{{name}}-jobs.module.ts.tpl': 'jobs',
};

const pascal = (kebab) => kebab.replace(/(^|-)([a-z0-9])/g, (_, _dash, c) => c.toUpperCase());
const camel = (kebab) => pascal(kebab).replace(/^./, (c) => c.toLowerCase());
const constant = (kebab) => kebab.replace(/-/g, '_').toUpperCase();
const snake = (kebab) => kebab.replace(/-/g, '_');

/** The spellings of a feature's names; `thing` (the entity) defaults to the name without its final `s`. */
function namesOf(name, entity) {
  const thing = entity ?? (name.endsWith('s') && name.length > 1 ? name.slice(0, -1) : `${name}-item`);
  return {
    name,
    Name: pascal(name),
    nameCamel: camel(name),
    NAME: constant(name),
    table: snake(name),
    thing,
    Thing: pascal(thing),
    thingCamel: camel(thing),
    THING: constant(thing),
    thing_snake: snake(thing),
    timestamp: String(Date.now()),
  };
}

function substitute(text, names) {
  return text.replace(/\{\{(\w+)\}\}/g, (match, token) => {
    if (!(token in names)) throw new Error(`template token ${match} is unknown`);
    return names[token];
  });
}

/** Keeps the lines whose `// #if` conditions hold. */
function preprocess(text, flags, where) {
  const out = [];
  const stack = [];
  for (const line of text.split('\n')) {
    const directive = /^\s*\/\/ #(if|else|endif)\b\s*(!?)(\w*)\s*$/.exec(line);
    if (directive) {
      const [, kind, not, flag] = directive;
      if (kind === 'if') {
        if (!(flag in flags)) throw new Error(`${where}: unknown flag "${flag}"`);
        stack.push(not ? !flags[flag] : flags[flag]);
      } else if (kind === 'else') stack.push(!stack.pop());
      else if (stack.pop() === undefined) throw new Error(`${where}: #endif without #if`);
      continue;
    }
    if (stack.every(Boolean)) out.push(line);
  }
  if (stack.length > 0) throw new Error(`${where}: #if without #endif`);
  return out.join('\n');
}

function templatesUnder(dir, prefix = '') {
  const files = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...templatesUnder(dir, rel));
    else files.push(rel);
  }
  return files;
}

/** Writes the feature's files into `stage` (same layout as the project); returns their project paths. */
function render(options, names, stage) {
  const flags = { writeBehind: options.writeBehind, degradable: options.degradable, jobs: options.jobs };
  const targets = { feature: join('src', 'features', options.name), test: 'test' };
  const written = [];
  for (const [kind, target] of Object.entries(targets)) {
    for (const template of templatesUnder(join(TEMPLATES, kind))) {
      const flag = FILE_FLAGS[template];
      if (flag && !flags[flag]) continue;
      if (!template.endsWith('.tpl')) throw new Error(`${template}: a template's name ends with .tpl`);
      const file = join(target, substitute(template.slice(0, -'.tpl'.length), names));
      const text = substitute(preprocess(readFileSync(join(TEMPLATES, kind, template), 'utf8'), flags, template), names);
      mkdirSync(dirname(join(stage, file)), { recursive: true });
      writeFileSync(join(stage, file), text);
      written.push(file);
    }
  }
  return written;
}

module.exports = { namesOf, render, preprocess };
