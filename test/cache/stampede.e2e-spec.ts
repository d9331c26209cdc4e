import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseService } from '../../src/database/database.service';
import { ProductRepository } from '../../src/features/catalog/product.repository';
import { get, spawnApp, type AppProcess } from '../support/app-process';
import { PgStatementTap, type TappedStatement } from '../support/pg-statement-tap';
import { TEST_REDIS_URL } from '../support/services';
import { deleteKeys } from '../support/redis-keys';
import { SharedIsolation, stopProcess } from '../support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * Cache stampede protection, against real PostgreSQL and Redis:
 * - in one process, 500 concurrent `GET /products/<cold id>` run the loader
 *   once (single-flight) and all get 200 with the same bytes;
 * - across 3 app PROCESSES sharing a schema and key prefix, 900 concurrent
 *   real HTTP requests (300 each, fired together) for one cold key run the
 *   loader once in total (the Redis load lock plus waiting for L2).
 *
 * Counting loads:
 * - in-process: a jest spy on the `ProductRepository` instance (`findById`
 *   calls) and one on `DatabaseService.query` (statements sent);
 * - across processes: every process reaches PostgreSQL through a
 *   {@link PgStatementTap}, a proxy that decodes the frontend wire protocol
 *   and records each executed statement (Bind/Query) with its parameters as
 *   it is sent. Unlike `pg_stat_user_tables.idx_scan`, which backends flush
 *   to shared statistics only every second or up to ~10 s later when idle
 *   (PG 15), it is exact and immediate, and it is filtered to the statement
 *   and id under test. The first test's SQL spy checks the tap's filter.
 */
const BY_ID = 'FROM products WHERE id = $1';
const readsOf = (id: number) => (s: TappedStatement) => s.sql.includes(BY_ID) && s.params[0] === String(id);

interface HttpAnswer {
  readonly status: number;
  readonly cache: string | undefined;
  readonly body: string;
}

/** One GET on a fresh connection (no agent: nothing stays open after the test). */
function httpGet(url: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? -1, cache: res.headers['x-cache'] as string | undefined, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('cache stampede (e2e)', () => {
  describe('one process', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
      await deleteKeys(TEST_REDIS_URL, t.keyPrefix);
    });
    afterEach(() => jest.restoreAllMocks());

    it('500 concurrent GETs of a cold id: the loader runs once, every answer is 200 with the same body', async () => {
      const repo = t.app.get(ProductRepository);
      const findById = repo.findById.bind(repo);
      // 50 ms more per load keeps the load in flight while all 500 requests arrive.
      const loads = jest.spyOn(repo, 'findById').mockImplementation(async (id) => {
        await sleep(50);
        return findById(id);
      });
      const db = t.app.get(DatabaseService);
      const query = jest.spyOn(db, 'query');

      const responses = await Promise.all(Array.from({ length: 500 }, () => t.app.inject({ method: 'GET', url: '/products/7' })));

      expect(loads).toHaveBeenCalledTimes(1);
      expect(loads).toHaveBeenCalledWith(7);
      expect(query.mock.calls.map(([sql]) => sql)).toEqual([expect.stringContaining(BY_ID)]);
      expect(new Set(responses.map((r) => r.statusCode))).toEqual(new Set([200]));
      expect(new Set(responses.map((r) => r.body)).size).toBe(1);
      expect(responses[0].json()).toMatchObject({ id: 7, version: 1 });
      // They overlapped the load: those that joined it report MISS, later ones L1.
      const tiers = responses.map((r) => r.headers['x-cache']);
      expect(tiers.filter((tier) => tier === 'MISS').length).toBeGreaterThan(1);
      expect(tiers.every((tier) => tier === 'MISS' || tier === 'L1')).toBe(true);
    });
  });

  describe('three processes sharing PostgreSQL and Redis', () => {
    const shared = new SharedIsolation();
    const apps: AppProcess[] = [];
    let tap: PgStatementTap;

    beforeAll(async () => {
      tap = await PgStatementTap.start();
      // The cross-process guarantee holds while the lock holder loads within CACHE_LOCK_WAIT_MS (250 ms) and
      // Redis answers within CACHE_L2_TIMEOUT_MS (50 ms); past them a pod loads by itself, by design. Here 4
      // processes and 900 new connections share the CI machine's cores, and a busy neighbour once pushed a
      // run past those bounds (2 loads), so they are raised: the test checks the mechanism, not the machine.
      // With the defaults it passes on an idle machine, also with two cores kept busy by other processes.
      const env = shared.env({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${tap.port}/test`,
        CACHE_LOCK_WAIT_MS: '5000',
        CACHE_LOCK_TTL_MS: '10000',
        CACHE_L2_TIMEOUT_MS: '1000',
      });
      const startup = async (app: AppProcess) =>
        waitFor(async () => (await get(`${app.url}/health/startup`, 1_000)).status === 200, 30_000, `startup of ${app.url}`);
      // The first one migrates and seeds the shared schema; the others find it done.
      apps.push(await spawnApp(env));
      await startup(apps[0]);
      apps.push(await spawnApp(env), await spawnApp(env));
      await Promise.all(apps.slice(1).map(startup));
    });

    afterAll(async () => {
      await Promise.all(apps.map((app) => stopProcess(app)));
      await tap?.close();
      await shared.cleanup();
    });

    it('checks the tap: one GET of a cold id is exactly one statement reading that row', async () => {
      expect(tap.count(readsOf(3))).toBe(0);
      const answer = await httpGet(`${apps[1].url}/products/3`);
      expect(answer).toMatchObject({ status: 200, cache: 'MISS' });
      expect(tap.count(readsOf(3))).toBe(1);
    });

    it('300 concurrent GETs per process of one cold id, fired together: the loader runs once in total', async () => {
      const coldId = 11;
      expect(tap.count(readsOf(coldId))).toBe(0);
      // PostgreSQL answers 30 ms late: the load is still in flight when the other processes' requests arrive.
      tap.setLatency(30);
      const requests: Array<Promise<HttpAnswer & { process: number }>> = [];
      for (let i = 0; i < 300; i++) {
        apps.forEach((app, process) => requests.push(httpGet(`${app.url}/products/${coldId}`).then((answer) => ({ ...answer, process }))));
      }
      const answers = await Promise.all(requests);
      tap.setLatency(0);

      expect(tap.count(readsOf(coldId))).toBe(1);
      expect(answers).toHaveLength(900);
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
      expect(new Set(answers.map((a) => a.body)).size).toBe(1);
      expect(JSON.parse(answers[0].body)).toMatchObject({ id: coldId });
      // One process loaded (MISS); the other two took the value it wrote to L2 (L2, then L1), loading nothing.
      const tiersOf = (process: number) => new Set(answers.filter((a) => a.process === process).map((a) => a.cache));
      const loaders = [0, 1, 2].filter((process) => tiersOf(process).has('MISS'));
      expect(loaders).toHaveLength(1);
      for (const process of [0, 1, 2].filter((p) => p !== loaders[0])) {
        expect([...tiersOf(process)].every((tier) => tier === 'L2' || tier === 'L1')).toBe(true);
      }
    });
  });
});
