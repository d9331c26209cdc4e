import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { get, spawnApp, type AppProcess } from './support/app-process';
import { SharedIsolation, stopProcess } from './support/shared-isolation';
import { startTestApp, waitFor, type TestApp } from './support/test-app';
import { writesFlushed } from './support/write-behind';

jest.setTimeout(30_000);

const DRAIN_MS = 2000;
const GRACE_MS = 8000;
/** Products the load reads (warm in L1: the fast path answers them) and the ones it replaces. */
const READ_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const WRITE_IDS = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

/** One request of the test and what came back: a response, or the socket error that ended it. */
interface Outcome {
  readonly what: string;
  /** When it was sent, relative to SIGTERM (negative: before it). */
  readonly sentAt: number;
  readonly status?: number;
  readonly headers?: IncomingHttpHeaders;
  readonly body?: string;
  readonly error?: string;
}

const putBody = (id: number, stock: number) =>
  JSON.stringify({ sku: `DEMO-${String(id).padStart(7, '0')}`, name: 'Drained', priceMinor: 100, currency: 'EUR', stock });

/** A raw connection: what it received (the server closes it after its answer) and when it closed. */
function rawConnection(port: number): { socket: Socket; connected: Promise<void>; closed: Promise<{ at: number; data: string }> } {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closed = new Promise<{ at: number; data: string }>((resolve) => socket.once('close', () => resolve({ at: Date.now(), data })));
  return { socket, connected, closed };
}

/** Parses one HTTP/1.1 response read off a raw socket. */
function parseRaw(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Resolves once a new connection to `port` is refused: the listener has closed. */
async function listenerClosed(port: number): Promise<number> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    if (refused) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * SIGTERM while keep-alive clients read (GET /products/:id, answered by the L1
 * fast path once warm) and write (PUT /products/:id, write-behind) at a fixed
 * rate, open loop. The load stops shortly before the drain delay is over: by
 * then Kubernetes has removed the endpoint, and a connection the kernel
 * accepted but the app never saw cannot be saved by any server when its
 * listener closes. Around the listener's close: a PUT whose body is still
 * coming (in flight), a request whose headers are still coming (it arrives
 * after close began), a connection that never sends anything.
 */
describe('shutdown drops nothing that was sent to it (e2e)', () => {
  const shared = new SharedIsolation();
  let worker: TestApp | undefined;
  let api: AppProcess | undefined;

  afterAll(async () => {
    if (api) await stopProcess(api);
    await worker?.close();
    await shared.cleanup();
  });

  it('Connection: close while draining, no request cut, 503 E_SHUTTING_DOWN problems once closing, exit 0 in time, every acknowledged write in PostgreSQL', async () => {
    // Writes land through this process's workers; it also reads PostgreSQL after the API has exited.
    worker = await startTestApp({ env: shared.env({ APP_ROLE: 'worker' }) });
    api = await spawnApp(
      shared.env({ APP_ROLE: 'api', SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_MS), SHUTDOWN_HTTP_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'info' }),
    );
    const { url } = api;
    const port = Number(new URL(url).port);
    await waitFor(async () => (await get(`${url}/health/startup`, 1000)).status === 200, 20_000, 'API start-up');
    for (const id of READ_IDS) await get(`${url}/products/${id}`);

    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    let sigtermAt = Number.POSITIVE_INFINITY;
    const send = (what: string, method: string, path: string, body?: string): Promise<Outcome> =>
      new Promise((resolve) => {
        const sentAt = Date.now() - sigtermAt;
        const headers = body === undefined ? {} : { 'content-type': 'application/json' };
        const req = request(`${url}${path}`, { method, agent, headers, timeout: 10_000 });
        req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
        // Any error on a request that was sent counts: none was refused at connect (the load
        // stops before the listener closes), so a reset here is a request the shutdown cut.
        req.on('error', (error: NodeJS.ErrnoException) => resolve({ what, sentAt, error: `${error.code ?? ''} ${error.message}` }));
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ what, sentAt, status: res.statusCode, headers: res.headers, body: text }));
          res.on('error', (error: Error) => resolve({ what, sentAt, error: error.message }));
        });
        req.end(body);
      });

    // Open loop: one request every 4 ms whatever the answers, alternating reads and writes.
    const outcomes: Array<Promise<Outcome>> = [];
    let i = 0;
    const load = setInterval(() => {
      i += 1;
      const n = Math.floor(i / 2);
      if (i % 2 === 0) outcomes.push(send('GET', 'GET', `/products/${READ_IDS[n % READ_IDS.length]}`));
      else outcomes.push(send('PUT', 'PUT', `/products/${WRITE_IDS[n % WRITE_IDS.length]}`, putBody(WRITE_IDS[n % WRITE_IDS.length], i)));
    }, 4);
    const silent = rawConnection(port);
    await silent.connected;
    await new Promise((resolve) => setTimeout(resolve, 1000));

    api.child.kill('SIGTERM');
    sigtermAt = Date.now();
    const exited = api.exited.then((code) => ({ code, at: Date.now() }));
    // The app has taken the signal once readiness is 503: every request sent from then on is in the drain.
    await waitFor(async () => (await get(`${url}/health/ready`, 500)).status === 503, 1000, 'readiness 503');
    const drainSeenAt = Date.now() - sigtermAt;
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS - 400 - drainSeenAt));
    clearInterval(load);

    // Just before the listener closes: a PUT whose headers are in (it is routed) but whose body
    // is not, and a GET whose headers are not complete yet.
    const slowBody = putBody(WRITE_IDS[0], 999_999);
    const closing = listenerClosed(port);
    const slowPutDone = new Promise<Outcome>((resolve) => {
      const sentAt = Date.now() - sigtermAt;
      const req = request(`${url}/products/${WRITE_IDS[0]}`, {
        method: 'PUT',
        agent: new Agent({ keepAlive: true }),
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(slowBody)) },
      });
      req.on('error', (error: Error) => resolve({ what: 'slow PUT', sentAt, error: error.message }));
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ what: 'slow PUT', sentAt, status: res.statusCode, headers: res.headers, body: text }));
      });
      req.write(slowBody.slice(0, 10));
      void closing.then(() => req.end(slowBody.slice(10)));
    });
    const partial = rawConnection(port);
    await partial.connected;
    partial.socket.write(`GET /products/${READ_IDS[0]} HTTP/1.1\r\nHost: bulwark\r\n`);

    const closedAt = await closing;
    expect(closedAt - sigtermAt).toBeGreaterThanOrEqual(DRAIN_MS - 50);
    partial.socket.write('\r\n');
    const slowPut = await slowPutDone;
    const late = parseRaw((await partial.closed).data);
    const loadOutcomes = await Promise.all(outcomes);
    const { code, at: exitedAt } = await exited;
    const log = api.output();

    // Nothing that was sent was cut: every request has an answer.
    const all = [...loadOutcomes, slowPut];
    expect(all.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    // Every answer that is not a success is the shutdown problem (here: only the late GET).
    for (const outcome of all.filter((o) => o.status! >= 300)) {
      expect(outcome).toMatchObject({ status: 503, headers: { 'content-type': expect.stringMatching(/^application\/problem\+json/), 'retry-after': '1' } });
    }
    expect(late.status).toBe(503);
    expect(late.headers).toMatchObject({ 'content-type': expect.stringMatching(/^application\/problem\+json/), 'retry-after': '1', connection: 'close' });
    expect(JSON.parse(late.body)).toMatchObject({ status: 503, code: 'E_SHUTTING_DOWN', instance: `/products/${READ_IDS[0]}` });

    // Keep-alive before the signal, Connection: close on everything sent after it (the fast path's hits too).
    const before = loadOutcomes.filter((o) => o.sentAt < 0);
    const during = loadOutcomes.filter((o) => o.sentAt > drainSeenAt);
    expect(before.length).toBeGreaterThan(100);
    expect(during.length).toBeGreaterThan(100);
    expect(before.filter((o) => o.headers!.connection !== 'close').length).toBeGreaterThan(0);
    expect(during.filter((o) => o.headers!.connection !== 'close')).toEqual([]);
    expect(during.filter((o) => o.headers!['x-cache'] === 'L1').length).toBeGreaterThan(10);
    // The PUT in flight when the listener closed was answered, and told to close too.
    expect(slowPut).toMatchObject({ status: 200, headers: { connection: 'close' } });

    // The silent connection was closed by the server when the listener closed, not by the grace
    // or the exit; the process exited 0 well before drain + grace.
    expect((await silent.closed).at - sigtermAt).toBeLessThan(DRAIN_MS + 1500);
    expect(code).toBe(0);
    expect(exitedAt - sigtermAt).toBeLessThan(DRAIN_MS + 3000);
    // (The probes that watch for the listener's close may be among them.)
    expect(log).toMatch(/closed \d+ HTTP connection\(s\) that had sent nothing/);
    expect(log).not.toContain('SHUTDOWN_HTTP_GRACE_MS');

    // Every acknowledged write is in PostgreSQL at the last version acknowledged for its row.
    const acked = new Map<number, { version: number; stock: number }>();
    for (const outcome of all.filter((o) => o.what !== 'GET' && o.status === 200)) {
      const { id, version, stock } = JSON.parse(outcome.body!) as { id: number; version: number; stock: number };
      if ((acked.get(id)?.version ?? 0) < version) acked.set(id, { version, stock });
    }
    expect(loadOutcomes.filter((o) => o.what === 'PUT' && o.sentAt > 0 && o.status === 200).length).toBeGreaterThan(50);
    await writesFlushed(worker.app);
    const rows = await shared.sql<{ id: string; version: number; stock: number }>('SELECT id, version, stock FROM products WHERE id = ANY($1) ORDER BY id', [
      WRITE_IDS,
    ]);
    expect(rows.map((row) => [Number(row.id), { version: row.version, stock: row.stock }])).toEqual([...acked.entries()].sort(([a], [b]) => a - b));
    expect(acked.get(WRITE_IDS[0])?.stock).toBe(999_999);
  });
});
