import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * `npm run new:feature` in a throwaway copy of the project (its git files, node_modules linked):
 * the refusals write nothing; then one feature with every option and one with none, in the same
 * copy, and there `npm run typecheck`, `npm run lint` and the generated unit and e2e specs pass
 * without an edit. One combined run, lint beside the rest (the slow part, about a minute).
 */
const ROOT = join(__dirname, '..', '..');
const FULL = 'gift-cards';
const BARE = 'gadgets';

interface Run {
  readonly code: number;
  readonly output: string;
}

function run(cwd: string, command: string, args: readonly string[], timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** What a refusal must leave untouched: the files the generator edits, and the paths it would create. */
function fingerprint(copy: string): string {
  const hash = createHash('sha256');
  for (const file of ['src/app.module.ts', 'deploy/k8s/configmap.yaml', '.env.example', 'docs/configuration.md']) hash.update(readFileSync(join(copy, file)));
  hash.update(execFileSync('find', ['src', 'test', '-type', 'f'], { cwd: copy }));
  return hash.digest('hex');
}

describe('npm run new:feature (e2e, in a copy of the project)', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'bulwark-generator-'));
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file !== '' && existsSync(join(ROOT, file)));
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(ROOT, file), join(copy, file));
    }
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(copy, 'node_modules'));
  });
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  const generate = (...args: string[]) => run(copy, process.execPath, [join('scripts', 'new-feature.js'), ...args]);

  it('refuses a bad name, an existing feature and colliding routes with a clear message, writing nothing', async () => {
    const before = fingerprint(copy);
    const cases: Array<[string[], RegExp]> = [
      [['Gift_Cards'], /"Gift_Cards" is not a valid feature name: kebab-case/],
      [['1st-feature'], /is not a valid feature name/],
      [['gift-cards', '--entity', 'Card'], /"Card" is not a valid entity name/],
      [['catalog'], /src\/features\/catalog\/ exists already/],
      [
        ['products', '--entity', 'item', '--write-behind'],
        /route GET \/products collides with GET \/products \(src\/features\/catalog\/catalog\.controller\.ts\)/,
      ],
      [['health', '--entity', 'probe'], /the routes \/health\/\.\.\. would mix with GET \/health\/live/],
      [['gift-cards', '--colour'], /unknown option --colour/],
      [[], /a feature name is required/],
    ];
    for (const [args, message] of cases) {
      const result = await generate(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      expect(result.output).toMatch(message);
      expect(result.output).not.toMatch(/\n\s+at /);
    }
    expect(fingerprint(copy)).toBe(before);
  });

  it('puts everything back when a step after the move fails (config:docs, here: its markers gone)', async () => {
    const docs = join(copy, 'docs/configuration.md');
    const original = readFileSync(docs, 'utf8');
    writeFileSync(docs, original.replace('<!-- /config-docs -->', ''));
    try {
      const before = fingerprint(copy);
      const result = await generate('rollback-probe', '--write-behind', '--degradable', '--jobs');
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/new:feature failed, nothing was kept/);
      expect(fingerprint(copy)).toBe(before);
    } finally {
      writeFileSync(docs, original);
    }
  }, 120_000);

  it('generates a feature with every option and one with none; typecheck, lint and their specs pass there', async () => {
    const full = await generate(FULL, '--entity', 'gift-card', '--write-behind', '--degradable', '--jobs');
    expect(full.output).toMatch(/Edit next:/);
    expect(full.code).toBe(0);
    const bare = await generate(BARE);
    expect(bare.code).toBe(0);
    for (const file of [
      `src/features/${FULL}/${FULL}-writes.module.ts`,
      `src/features/${FULL}/${FULL}.fallback.ts`,
      `src/features/${FULL}/${FULL}.processor.ts`,
      `test/${FULL}.e2e-spec.ts`,
    ])
      expect(existsSync(join(copy, file))).toBe(true);
    expect(existsSync(join(copy, `src/features/${BARE}/gadget-write.repository.ts`))).toBe(false);
    expect(readFileSync(join(copy, 'src/app.module.ts'), 'utf8')).toMatch(
      /workerFeatures = \[[^\]]*CatalogWritesModule,\s*ProductEventsModule,[^\]]*GiftCardsWritesModule,\s*GiftCardsJobsModule,?\s*\]/,
    );
    expect(readFileSync(join(copy, 'deploy/k8s/configmap.yaml'), 'utf8')).toMatch(/\n {6}gift-cards: on\n/);
    expect(readFileSync(join(copy, '.env.example'), 'utf8')).toMatch(/GIFT_CARDS_PAGE_LIMIT_MAX=100/);
    expect(readFileSync(join(copy, 'docs/configuration.md'), 'utf8')).toMatch(/`GADGETS_PAGE_LIMIT_DEFAULT`/);
    // A name taken by the first run is refused by the second.
    expect((await generate(FULL)).output).toMatch(/src\/features\/gift-cards\/ exists already/);

    // Two lanes (lint is the slow one): lint | typecheck, unit specs, e2e specs.
    const npx = (...args: string[]) => run(copy, 'npx', args);
    const [lint, checks] = await Promise.all([
      run(copy, 'npm', ['run', 'lint']),
      (async () => {
        const results: Record<string, Run> = { typecheck: await run(copy, 'npm', ['run', 'typecheck']) };
        results.unit = await npx('jest', '--selectProjects', 'unit', '--testPathPatterns', `src/features/(${FULL}|${BARE})/`);
        results.e2e = await npx('jest', '--selectProjects', 'e2e', '--runInBand', '--testPathPatterns', `test/(${FULL}|${BARE})\\.e2e-spec\\.ts$`);
        return results;
      })(),
    ]);
    const failed = Object.entries({ lint, ...checks })
      .filter(([, result]) => result.code !== 0)
      .map(([step, result]) => `${step} (exit ${result.code}):\n${result.output.slice(-4000)}`);
    expect(failed).toEqual([]);
    expect(checks.unit.output).toMatch(/Tests:\s+\d+ passed/);
    expect(checks.unit.output).toMatch(new RegExp(`${FULL}\\.processor\\.spec\\.ts`));
    expect(checks.e2e.output).toMatch(/Test Suites: 2 passed, 2 total/);
  }, 300_000);
});
