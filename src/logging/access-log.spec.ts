import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessRequest, accessLogLevel, serializeAccessRequest } from './access-log';

describe('accessLogLevel', () => {
  const req = {} as IncomingMessage;
  const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

  it('writes 1 line in N of 2xx, 3xx and 404', () => {
    const level = accessLogLevel(10);
    const levels = Array.from({ length: 1000 }, (_, i) => level(req, res([200, 304, 404][i % 3])));
    expect(levels.filter((l) => l === 'info')).toHaveLength(100);
    expect(levels.filter((l) => l === 'silent')).toHaveLength(900);
  });

  it('keeps every 5xx, error and 4xx other than 404, whatever the sampling', () => {
    const level = accessLogLevel(1000);
    for (let i = 0; i < 100; i++) {
      expect(level(req, res(500))).toBe('error');
      expect(level(req, res(503))).toBe('error');
      expect(level(req, res(200), new Error('boom'))).toBe('error');
      for (const status of [400, 401, 403, 409, 413, 429]) expect(level(req, res(status))).toBe('info');
    }
  });

  it('is silent for levels the logger does not write (so pino-http builds no line)', () => {
    const warnOnly = accessLogLevel(1, (level) => level === 'error');
    expect(warnOnly(req, res(200))).toBe('silent');
    expect(warnOnly(req, res(400))).toBe('silent');
    expect(warnOnly(req, res(500))).toBe('error');
    expect(accessLogLevel(1, () => false)(req, res(500))).toBe('silent');
  });

  it('writes every line when N is 1', () => {
    const level = accessLogLevel(1);
    for (const status of [200, 204, 301, 404]) expect(level(req, res(status))).toBe('info');
  });
});

describe('serializeAccessRequest', () => {
  it('drops raw requests and passes access requests through', () => {
    const raw = { method: 'GET', url: '/x', headers: { authorization: 'Bearer s3cr3t' }, socket: { remoteAddress: '::1' } } as unknown as IncomingMessage;
    expect(serializeAccessRequest(raw)).toBeUndefined();
    const access = AccessRequest.of(raw);
    expect(serializeAccessRequest(access)).toEqual({ method: 'GET', url: '/x', userAgent: undefined, remoteAddress: '::1' });
    expect(JSON.stringify(access)).not.toContain('s3cr3t');
  });
});
