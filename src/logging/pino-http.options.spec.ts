import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { loggingConfig } from './logging.config';
import { pinoHttpOptions } from './pino-http.options';
import { createRootLogger } from './root-logger';

describe('pinoHttpOptions', () => {
  function setup(env: Record<string, string>) {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const config = loggingConfig.map(loggingConfig.env.parse(env));
    const middleware = pinoHttp(pinoHttpOptions(createRootLogger(config, { stream }), config));
    const request = (id: string, url: string, statusCode: number) => {
      const req = Object.assign(new IncomingMessage(new Socket()), { id, method: 'GET', url });
      req.headers = { 'user-agent': 'jest', authorization: 'Bearer s3cr3t' };
      const res = new ServerResponse(req);
      res.statusCode = statusCode;
      middleware(req, res, () => undefined);
      const finish = () => {
        Object.defineProperty(res, 'writableEnded', { value: true }); // as after res.end(), without a socket
        res.emit('finish');
      };
      return { req: req as IncomingMessage & { log: import('pino').Logger }, finish };
    };
    return { lines, request };
  }

  it('keeps the request id on lines logged during the request, at warn level too, without the request itself', () => {
    const { lines, request } = setup({ LOG_LEVEL: 'warn' });
    const r = request('req-1', '/products/1', 200);
    r.req.log.error({ context: 'CatalogRepository' }, 'query failed');
    r.finish();
    expect(lines).toEqual([expect.objectContaining({ level: 50, reqId: 'req-1', context: 'CatalogRepository', msg: 'query failed' })]);
    expect(lines[0]).not.toHaveProperty('req');
  });

  it('writes access lines with the request id, method, URL and status, and no credentials', () => {
    const { lines, request } = setup({ LOG_LEVEL: 'info' });
    request('req-2', '/products/2', 200).finish();
    request('req-3', '/products/3', 503).finish();
    expect(lines[0]).toMatchObject({
      level: 30,
      reqId: 'req-2',
      msg: 'request completed',
      res: { statusCode: 200 },
      req: { method: 'GET', url: '/products/2', userAgent: 'jest' },
    });
    expect(lines[1]).toMatchObject({ level: 50, reqId: 'req-3', msg: 'request errored', res: { statusCode: 503 } });
    expect(lines[1]).not.toHaveProperty('err');
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
  });
});
