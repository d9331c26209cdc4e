import { Writable } from 'node:stream';
import { loggingConfig } from './logging.config';
import { redactSecrets } from './redaction';
import { createRootLogger } from './root-logger';

describe('redaction', () => {
  /** One line through the app's root logger (level info, rate limits on). */
  function logLine(object: Record<string, unknown>): string {
    let line = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        line += chunk.toString();
        done();
      },
    });
    createRootLogger(loggingConfig.map(loggingConfig.env.parse({})), { stream }).logger.info(object, 'msg');
    return line;
  }

  it('censors credential headers of requests and responses', () => {
    const line = logLine({
      req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=s3cr3t', 'x-api-key': 'k3y', 'user-agent': 'curl' } },
      res: { headers: { 'set-cookie': 'sid=s3cr3t' } },
    });
    expect(line).not.toMatch(/abc\.def|s3cr3t|k3y/);
    expect(line).toContain('curl');
  });

  it('censors secret-like fields at the top level and two levels down, in arrays and errors too', () => {
    const error = Object.assign(new Error('connect failed'), { config: { password: 'p5' } });
    const line = logLine({
      password: 'p1',
      config: { apiKey: 'p2', db: { connectionString: 'p3' } },
      token: 'p4',
      user: 'ada',
      err: error,
      list: [{ secret: 'p6' }],
    });
    expect(line).not.toMatch(/"p[1-6]"/);
    expect(line).toContain('ada');
    const parsed = JSON.parse(line);
    expect(parsed.config.apiKey).toBe('[redacted]');
    expect(parsed.err).toMatchObject({ message: 'connect failed', config: { password: '[redacted]' } });
    expect(parsed.err.stack).toContain('connect failed');
  });

  it('never changes the logged object, and returns it as is when it holds no secret', () => {
    const clean = { a: { b: { c: 1 } } };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = { a: { password: 'x' }, b: { c: 1 } };
    const out = redactSecrets(dirty);
    expect(out).toEqual({ a: { password: '[redacted]' }, b: { c: 1 } });
    expect(out.b).toBe(dirty.b);
    expect(dirty.a.password).toBe('x');
  });

  it('stops three levels down, as the pino paths did', () => {
    expect(redactSecrets({ a: { b: { c: { password: 'deep' } } } })).toEqual({ a: { b: { c: { password: 'deep' } } } });
  });
});
