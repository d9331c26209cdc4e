import { spawnApp, get, type AppProcess } from './support/app-process';
import { TcpProxy } from './support/tcp-proxy';
import { dropIsolation, waitFor } from './support/test-app';

/** The app as Kubernetes sees it: a process that starts, reports, drains and exits. */
describe('process lifecycle (e2e)', () => {
  let app: AppProcess | undefined;

  afterEach(async () => {
    if (app && app.child.exitCode === null && app.child.signalCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    if (app) await dropIsolation(app.schema, app.keyPrefix);
    app = undefined;
  });

  it('on SIGTERM: readiness 503 while liveness stays 200, the in-flight request completes, exit 0', async () => {
    const pg = await TcpProxy.start('127.0.0.1', 5432);
    try {
      app = await spawnApp({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/test`,
        SHUTDOWN_DRAIN_DELAY_MS: '1500',
        LOG_LEVEL: 'info',
      });
      const url = app.url;
      await waitFor(async () => (await get(`${url}/health/startup`)).status === 200, 30_000, 'startup probe');
      expect((await get(`${url}/health/ready`)).status).toBe(200);

      // Every PostgreSQL round trip now takes ~600 ms: this read is in flight when SIGTERM arrives.
      pg.setLatency(300);
      const inFlight = get(`${url}/products/2`, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      app.child.kill('SIGTERM');

      await waitFor(async () => (await get(`${url}/health/ready`)).status === 503, 1000, 'readiness 503');
      const ready = await get(`${url}/health/ready`);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'shutting_down' });
      expect((await get(`${url}/health/live`)).status).toBe(200);

      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ id: 2 });

      expect(await app.exited).toBe(0);
      const log = app.output();
      expect(log).toContain('SIGTERM received');
      // Both connections closed by the shutdown sequence (its order is pinned in shutdown.sequence.spec.ts;
      // lines written in the same millisecond can reach this pipe out of order).
      expect(log).toContain('closed redis');
      expect(log).toContain('closed postgres');
      expect(log).toContain('shutdown complete');
    } finally {
      await pg.close();
    }
  });

  it('refuses to start on bad config, listing every bad variable once, without echoing secrets', async () => {
    app = await spawnApp({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://root:hunter2@db/x', APP_ROLE: 'both' });
    expect(await app.exited).toBe(1);
    const out = app.output();
    expect(out).toContain('Invalid configuration (4 problems)');
    for (const variable of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'APP_ROLE']) expect(out).toContain(`${variable}:`);
    expect(out).not.toContain('hunter2');
    expect(out).not.toMatch(/at \w+ \(/);
  });
});
