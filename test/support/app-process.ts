import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './ports';
import { testEnv, isolationId } from './test-app';

export { freePort } from './ports';

/** The built app (`dist/main.js`, built by the e2e global setup) running as its own process. */
export interface AppProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The PostgreSQL schema and Redis key prefix the process runs in (drop them with `dropIsolation`). */
  readonly schema: string;
  readonly keyPrefix: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `node dist/main.js` with an isolated test env plus `env`; `argv` replaces the script
 * and its arguments (see `spawnAppWithModules` for the app plus test-only modules).
 */
export async function spawnApp(
  env: Record<string, string> = {},
  argv: readonly string[] = [join(__dirname, '..', '..', 'dist', 'main.js')],
): Promise<AppProcess> {
  const port = await freePort();
  const appEnv = testEnv(isolationId(), { PORT: String(port), ...env });
  const child = spawn(process.execPath, [...argv], {
    env: { PATH: process.env.PATH ?? '', ...appEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, url: `http://127.0.0.1:${port}`, schema: appEnv.DATABASE_SCHEMA, keyPrefix: appEnv.REDIS_KEY_PREFIX, output: () => output, exited };
}

/** GET that never throws: status -1 when the connection failed. */
export async function get(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: -1, body: '' };
  }
}

/** Waits until `app` answers its startup probe (throws with its output if it exits first). */
export async function waitUntilStarted(app: AppProcess, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.child.exitCode !== null) throw new Error(`app exited:\n${app.output()}`);
    if ((await get(`${app.url}/health/startup`, 2_000)).status === 200) return;
    if (Date.now() > deadline) throw new Error(`the app did not start within ${timeoutMs} ms:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
