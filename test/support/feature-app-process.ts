import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { spawnApp, type AppProcess } from './app-process';

const ROOT = resolve(__dirname, '..', '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

/**
 * Compiles one test-only module file (TypeScript under test/) to JavaScript whose imports of
 * `src/` point at the built `dist/`, so the child loads ONE copy of the kit (the same classes
 * as the app it joins; two copies would be two DI tokens). Returns the compiled file's path.
 */
function compileTestModule(file: string): string {
  const source = readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2023,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  });
  const rewritten = outputText.replace(/require\("(\.[^"]*)"\)/g, (_whole, specifier: string) => {
    const target = resolve(dirname(file), specifier);
    if (!target.startsWith(SRC)) throw new Error(`${file}: only imports of src/ are supported in a spawned test module, not ${specifier}`);
    return `require(${JSON.stringify(join(DIST, relative(SRC, target)))})`;
  });
  // Inside the project (node_modules/.cache, ignored by git) so its package imports resolve.
  // Named by content: reruns reuse the file instead of piling up copies.
  const outDir = join(ROOT, 'node_modules', '.cache', 'bulwark-test-modules', createHash('sha256').update(rewritten).digest('hex').slice(0, 16));
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, basename(file).replace(/\.ts$/, '.js'));
  writeFileSync(out, rewritten);
  return out;
}

/**
 * Like `spawnApp`, with test-only feature modules added to the built app in the child process
 * (`test/support/feature-app-main.js`). `modules` are `[file, exportName]` pairs; a module file
 * may import only from `src/`.
 *
 * @example `await spawnAppWithModules([[join(__dirname, 'degradable-feature.module.ts'), 'TestFeatureModule']], env)`
 */
export async function spawnAppWithModules(modules: ReadonlyArray<readonly [string, string]>, env: Record<string, string> = {}): Promise<AppProcess> {
  const args = modules.flatMap(([file, name]) => [compileTestModule(file), name]);
  return spawnApp(env, [join(__dirname, 'feature-app-main.js'), ...args]);
}
