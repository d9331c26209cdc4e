import { spawnApp, get, type AppProcess } from './support/app-process';
import { TcpProxy } from './support/tcp-proxy';
import { dropIsolation, waitFor } from './support/test-app';

/** JSON lines the app wrote (non-JSON lines skipped). */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function getWithId(url: string, id: string): Promise<number> {
  const res = await fetch(url, { headers: { 'x-request-id': id }, signal: AbortSignal.timeout(10_000) });
  await res.text();
  return res.status;
}

/** Access-log sampling and request ids through the real process and its stdout. */
describe('logging (e2e)', () => {
  let app: AppProcess | undefined;
  let pg: TcpProxy | undefined;

  afterAll(async () => {
    if (app && app.child.exitCode === null && app.child.signalCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    if (app) await dropIsolation(app.schema, app.keyPrefix);
    await pg?.close();
  });

  it('samples access lines 1 in N, keeps 4xx (not 404) and 5xx, and every kept line carries its request id', async () => {
    pg = await TcpProxy.start('127.0.0.1', 5432);
    app = await spawnApp({ DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/test`, LOG_LEVEL: 'info', LOG_ACCESS_SAMPLE_EVERY: '40' });
    const url = app.url;
    await waitFor(async () => (await get(`${url}/health/startup`)).status === 200, 30_000, 'startup probe');

    for (let i = 0; i < 80; i++) expect(await getWithId(`${url}/products?ids=1,2`, `ok-${i}`)).toBe(200);
    for (let i = 0; i < 15; i++) expect(await getWithId(`${url}/products/abc`, `bad-${i}`)).toBe(400);
    pg.cutAll();
    for (let i = 0; i < 5; i++) expect(await getWithId(`${url}/products/${20 + i}`, `down-${i}`)).toBe(503);
    pg.restore();

    await waitFor(() => jsonLines(app!.output()).filter((l) => l.reqId === 'down-4').length > 0, 5000, 'the last access line');
    const access = jsonLines(app.output()).filter((l) => l.msg === 'request completed' || l.msg === 'request errored');
    const byPrefix = (prefix: string) => access.filter((l) => String(l.reqId).startsWith(prefix));
    expect(byPrefix('ok-')).toHaveLength(2); // 80 successes, 1 in 40 written
    expect(byPrefix('bad-')).toHaveLength(15);
    const failures = byPrefix('down-');
    expect(failures).toHaveLength(5);
    for (const line of failures) {
      expect(line).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 503 }, req: { method: 'GET' } });
      expect(JSON.stringify(line)).not.toMatch(/\n\s+at /); // no made-up stack trace
    }
    for (const line of byPrefix('bad-')) expect(line).toMatchObject({ level: 30, res: { statusCode: 400 }, req: { method: 'GET', url: '/products/abc' } });
  });
});
