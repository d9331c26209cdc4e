// Creates a feature module in the catalog's shape and registers it:
//   npm run new:feature -- <name> [--entity <thing>] [--write-behind] [--degradable] [--jobs]
// A plain Node script over the text templates in scripts/new-feature/templates/ (README, "Adding a
// feature module", says why not a Nest schematic). Everything is rendered and formatted in a temporary
// directory first; only when every file is ready (and nothing refused) is it moved into the project,
// so a refusal or a failure writes nothing. Then `npm run config:docs` runs and the next steps are printed.
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, relative } = require('node:path');
const { existingRoutes, featureRoutes, prefixOwner, routeKey } = require('./new-feature/routes');
const { render, namesOf } = require('./new-feature/render');
const { register } = require('./new-feature/register');

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** What `npm run config:docs` rewrites. */
const CONFIG_DOCS = ['.env.example', join('docs', 'configuration.md')];
const USAGE = 'usage: npm run new:feature -- <name> [--entity <thing>] [--write-behind] [--degradable] [--jobs] [--root <dir>]';

/** A refusal: printed without a stack, exit 1, nothing written. */
class Refusal extends Error {}

function parseArgs(argv) {
  const options = { name: undefined, entity: undefined, writeBehind: false, degradable: false, jobs: false, root: join(__dirname, '..') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--write-behind') options.writeBehind = true;
    else if (arg === '--degradable') options.degradable = true;
    else if (arg === '--jobs') options.jobs = true;
    else if (arg === '--entity' || arg === '--root') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Refusal(`${arg} needs a value\n${USAGE}`);
      options[arg.slice(2)] = value;
    } else if (arg.startsWith('--')) throw new Refusal(`unknown option ${arg}\n${USAGE}`);
    else if (options.name === undefined) options.name = arg;
    else throw new Refusal(`one feature name only (got "${options.name}" and "${arg}")\n${USAGE}`);
  }
  if (options.name === undefined) throw new Refusal(`a feature name is required\n${USAGE}`);
  return options;
}

/** Every reason not to generate, all at once. */
function refusals(options, names) {
  const problems = [];
  const { root, name } = options;
  if (!KEBAB.test(name)) problems.push(`"${name}" is not a valid feature name: kebab-case, a letter first (e.g. "gift-cards")`);
  if ((options.entity !== undefined || problems.length === 0) && !KEBAB.test(names.thing))
    problems.push(`"${names.thing}" is not a valid entity name: kebab-case, a letter first (e.g. "gift-card"); give one with --entity`);
  if (problems.length > 0) return problems;
  if (names.thing === name) problems.push(`the entity name must differ from the feature name "${name}": give one with --entity`);
  const folder = join(root, 'src', 'features', name);
  if (existsSync(folder)) problems.push(`src/features/${name}/ exists already`);
  if (existsSync(join(root, 'test', `${name}.e2e-spec.ts`))) problems.push(`test/${name}.e2e-spec.ts exists already`);
  const src = readTree(join(root, 'src'));
  const taken = (pattern) => src.some((file) => pattern.test(file.text));
  if (taken(new RegExp(`defineConfig\\(\\s*'${name}'`))) problems.push(`a config named "${name}" exists already`);
  if (taken(new RegExp(`\\b${names.NAME}_[A-Z0-9_]+:\\s*(?:z\\.|intVar|boolVar|listVar|urlVar)`)))
    problems.push(`environment variables starting ${names.NAME}_ exist already`);
  if (taken(new RegExp(`meta\\(\\{\\s*id:\\s*'${names.Thing}(?:Page)?'`))) problems.push(`a schema named ${names.Thing} is in the OpenAPI document already`);
  if (taken(new RegExp(`[\`'"]${names.thing}(?:-page)?:`))) problems.push(`cache keys "${names.thing}:" are used already`);
  if (taken(new RegExp(`class (?:${names.Name}(?:Module|Service|Controller)|${names.Thing}Repository)\\b`)))
    problems.push(`classes named ${names.Name}Module/Service/Controller or ${names.Thing}Repository exist already`);
  const routes = existingRoutes(src);
  for (const route of featureRoutes(name, options)) {
    const clash = routes.get(routeKey(route.method, route.path));
    if (clash) problems.push(`route ${route.method} ${route.path} collides with ${clash.method} ${clash.path} (${relative(root, clash.file)})`);
  }
  const owner = prefixOwner(routes, name);
  if (owner && !problems.some((p) => p.startsWith('route ')))
    problems.push(`the routes /${name}/... would mix with ${owner.method} ${owner.path} (${relative(root, owner.file)}): choose another name`);
  return problems;
}

/** Every .ts file under `dir` with its text (specs excluded: they declare no routes or configs). */
function readTree(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...readTree(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push({ file: path, text: readFileSync(path, 'utf8') });
  }
  return files;
}

/** Prettier over every staged file, with the project's settings. */
async function format(stage, root, files) {
  const prettier = require(require.resolve('prettier', { paths: [root] }));
  for (const file of files.filter((f) => f.endsWith('.ts'))) {
    const path = join(stage, file);
    const config = (await prettier.resolveConfig(join(root, file))) ?? {};
    writeFileSync(path, await prettier.format(readFileSync(path, 'utf8'), { ...config, filepath: join(root, file) }));
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const names = namesOf(options.name, options.entity);
  const problems = refusals(options, names);
  if (problems.length > 0) throw new Refusal(`Refused: nothing was written.\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  const root = options.root;
  const stage = mkdtempSync(join(tmpdir(), `new-feature-${options.name}-`));
  const written = [];
  const backups = new Map();
  try {
    // 1. Render the new files and the edited registrations into the stage.
    const created = render(options, names, stage);
    const edited = register(options, names, root, stage);
    await format(stage, root, [...created, ...edited]);
    // 2. Move: nothing in the project changed before this point.
    for (const file of created) if (existsSync(join(root, file))) throw new Refusal(`Refused: ${file} appeared meanwhile; nothing was written.`);
    for (const file of edited) backups.set(file, readFileSync(join(root, file), 'utf8'));
    for (const file of [...created, ...edited]) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      cpSync(join(stage, file), join(root, file));
      written.push(file);
    }
    // 3. The configuration docs from the schemas (kept to put back if it fails half-way).
    for (const file of CONFIG_DOCS) {
      backups.set(file, readFileSync(join(root, file), 'utf8'));
      written.push(file);
    }
    execFileSync('npm', ['run', '--silent', 'config:docs'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    printNextSteps(options, names, created, edited);
  } catch (error) {
    // Undo whatever was moved: the project is as it was.
    for (const file of written) {
      if (backups.has(file)) writeFileSync(join(root, file), backups.get(file));
      else rmSync(join(root, file), { force: true });
    }
    if (written.length > 0) rmSync(join(root, 'src', 'features', options.name), { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function printNextSteps(options, names, created, edited) {
  const f = `src/features/${options.name}`;
  const steps = [
    `${f}/${names.thing}.types.ts and migrations/: the fields of a ${names.thing} (interface, response schema, table).`,
    `${f}/${names.thing}.dto.ts: the request schemas (z.strictObject, each field bounded).`,
    `${f}/${names.thing}.repository.ts${options.writeBehind ? ` and ${names.thing}-write.repository.ts` : ''}: the SQL for those fields.`,
    `${f}/${options.name}.service.ts: the rules; ${options.name}.errors.ts: an error class (with a code) per refusal.`,
    `${f}/${options.name}.controller.ts: routes, each with @ApiRoute({ summary, response, problems }).`,
    `${f}/${options.name}.config.ts: your settings; then npm run config:docs.`,
  ];
  if (options.degradable)
    steps.push(`${f}/${options.name}.fallback.ts: what the feature answers while its switch is not on (deploy/k8s/configmap.yaml lists the switch).`);
  if (options.jobs) steps.push(`${f}/${options.name}.processor.ts: the work of a job.`);
  steps.push(
    'test/openapi/contract.e2e-spec.ts: a good and a bad request for each new route (the contract test fails on an operation it does not exercise).',
    `test/${options.name}.e2e-spec.ts and the unit specs: your rules.`,
  );
  const listed = [options.degradable && 'switches', options.writeBehind && 'write-behind queues and schedules', options.jobs && 'job queues'].filter(Boolean);
  if (listed.length > 0)
    steps.push(
      `the tests that list all the app's ${listed.join(', ')} must name the new ones (test/admin/admin-api, test/wiring, test/write-behind/dead-letters, test/metrics, test/schedules/schedules e2e specs).`,
    );
  const lines = [
    `Created ${created.length} files (${f}/, test/${options.name}.e2e-spec.ts), registered in ${edited.join(', ')}, config docs rewritten.`,
    '',
    'Edit next:',
    ...steps.map((step, i) => `${String(i + 1).padStart(3)}. ${step}`),
    '',
    `Then: npm run lint && npm run typecheck && npx jest --selectProjects unit && npx jest --runInBand test/${options.name}.e2e-spec.ts`,
  ];
  console.log(lines.join('\n'));
}

main().catch((error) => {
  if (error instanceof Refusal) console.error(error.message);
  else console.error(`new:feature failed, nothing was kept: ${error.stack ?? error}`);
  process.exit(1);
});
