import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { HttpDrain } from './http-drain';

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** A server with `drain` attached; `hold` keeps the responses of requests to `/hold` until released. */
async function serve(drain: HttpDrain): Promise<{ server: Server; port: number; held: ServerResponse[] }> {
  const held: ServerResponse[] = [];
  const server = createServer({ ServerResponse: drain.ServerResponse }, (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/hold') return void held.push(res);
    // The fast path's form: headers as a flat array.
    res.writeHead(200, ['content-type', 'text/plain', 'content-length', '2']).end('ok');
  });
  drain.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, held };
}

/** A raw connection: what it has received so far, and whether the server closed it. */
async function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => data, closed };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('HttpDrain', () => {
  const logger = { log: jest.fn(), warn: jest.fn() };
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('keep-alive until the drain begins; from then on Connection: close (also for a request that came in before) and the connection ends', async () => {
    const drain = new HttpDrain(1000, logger);
    const s = await serve(drain);
    server = s.server;
    const client = await open(s.port);
    client.socket.write(GET);
    await until(() => client.received().includes('ok'));
    expect(client.received()).toMatch(/\r\nConnection: keep-alive\r\n/i);

    client.socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => s.held.length === 1);
    drain.begin();
    expect(drain.isDraining).toBe(true);
    s.held[0].writeHead(200, { 'content-length': '4' }).end('done');
    await client.closed;
    expect(client.received().split('HTTP/1.1 ')[2]).toMatch(/\r\nConnection: close\r\n[\s\S]*done$/i);
  });

  it('close(): destroys connections that sent nothing, leaves requests in flight to finish; the server closes after them', async () => {
    const drain = new HttpDrain(10_000, logger);
    const s = await serve(drain);
    server = s.server;
    const silent = await open(s.port);
    const busy = await open(s.port);
    busy.socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => s.held.length === 1);

    drain.close();
    const serverClosed = new Promise((resolve) => s.server.close(resolve));
    expect(drain.closing).toBe(true);
    await silent.closed;
    expect(silent.received()).toBe('');
    expect(logger.log).toHaveBeenCalledWith('closed 1 HTTP connection(s) that had sent nothing');

    s.held[0].writeHead(200, { 'content-length': '4' }).end('done');
    await serverClosed;
    await busy.closed;
    expect(busy.received()).toMatch(/^HTTP\/1.1 200 OK\r\n[\s\S]*Connection: close\r\n[\s\S]*done$/i);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('past the grace, the connections still open are destroyed so that the server closes', async () => {
    const drain = new HttpDrain(100, logger);
    const s = await serve(drain);
    server = s.server;
    const busy = await open(s.port);
    busy.socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    // A request half sent is not silent: it is left to the grace as well.
    const partial = await open(s.port);
    partial.socket.write('GET / HTTP/1.1\r\n');
    await until(() => s.held.length === 1);

    const startedAt = Date.now();
    drain.close();
    await new Promise((resolve) => s.server.close(resolve));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(90);
    await Promise.all([busy.closed, partial.closed]);
    expect(busy.received()).toBe('');
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('SHUTDOWN_HTTP_GRACE_MS'));
  });
});
