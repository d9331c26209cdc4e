import pino from 'pino';
import { Writable } from 'node:stream';
import { redactionPaths } from './redaction';

describe('redactionPaths', () => {
  function logLine(object: Record<string, unknown>): string {
    let line = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        line += chunk.toString();
        done();
      },
    });
    pino({ redact: { paths: redactionPaths(), censor: '[redacted]' } }, sink).info(object, 'msg');
    return line;
  }

  it('censors credential headers of requests and responses', () => {
    const line = logLine({
      req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=s3cr3t', 'user-agent': 'curl' } },
      res: { headers: { 'set-cookie': 'sid=s3cr3t' } },
    });
    expect(line).not.toMatch(/abc\.def|s3cr3t/);
    expect(line).toContain('curl');
  });

  it('censors secret-like fields at the top level and two levels down', () => {
    const line = logLine({ password: 'p1', config: { apiKey: 'p2', db: { connectionString: 'p3' } }, token: 'p4', user: 'ada' });
    expect(line).not.toMatch(/"p[1-4]"/);
    expect(line).toContain('ada');
    expect(JSON.parse(line).config.apiKey).toBe('[redacted]');
  });
});
