import { Writable } from 'node:stream';
import { loggingConfig } from './logging.config';
import { createRootLogger } from './root-logger';

/** The logging config from these variables (defaults for the rest). */
function config(env: Record<string, string>) {
  return loggingConfig.map(loggingConfig.env.parse(env));
}

/** A stream that keeps every JSON line written to it. */
function sink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('createRootLogger (through the real pino pipeline)', () => {
  it('a storm of 100,000 identical error logs in 10 s writes at most the configured rate plus one summary per window, counting exactly', () => {
    let nowMs = 0;
    const { stream, lines } = sink();
    const root = createRootLogger(config({ LOG_LEVEL: 'info', LOG_RATE_ERROR_PER_S: '10', LOG_RATE_ERROR_BURST: '20' }), { stream, now: () => nowMs });
    const child = root.logger.child({ reqId: 'r1' });
    for (let i = 0; i < 100_000; i++) {
      nowMs = i * 0.1;
      // Nest's Logger through nestjs-pino calls pino like this: an object with the context, then the message.
      child.error({ context: 'CatalogRepository', err: new Error(`connect ECONNREFUSED ${i}`) }, 'database query failed');
      if (i % 10_000 === 9_999) root.flushSummaries(); // the flusher's timer, once per second of fake time
    }
    const written = lines();
    const errors = written.filter((l) => l.msg === 'database query failed');
    const summaries = written.filter((l) => l.context === 'LogRateLimit');
    expect(errors.length).toBeLessThanOrEqual(20 + 10 * 10);
    expect(errors.length).toBeGreaterThan(100);
    expect(errors[0]).toMatchObject({ level: 50, reqId: 'r1', context: 'CatalogRepository' });
    expect(summaries).toHaveLength(10);
    expect(written).toHaveLength(errors.length + summaries.length);
    for (const s of summaries) expect(s).toMatchObject({ level: 50, template: 'database query failed', templateContext: 'CatalogRepository' });
    expect(summaries.reduce((sum, s) => sum + (s.suppressed as number), 0)).toBe(100_000 - errors.length);
    expect(summaries[0].msg).toBe(`suppressed ${summaries[0].suppressed as number} lines of "database query failed"`);
  });

  it('never limits allow-listed messages, nor fatal', () => {
    const { stream, lines } = sink();
    const root = createRootLogger(config({ LOG_RATE_WARN_PER_S: '1', LOG_RATE_WARN_BURST: '1', LOG_RATE_LIMIT_ALLOW: 'Ops,switch ' }), {
      stream,
      now: () => 0,
    });
    for (let i = 0; i < 500; i++) {
      root.logger.warn({ context: 'Shutdown' }, 'closing redis failed');
      root.logger.warn({ context: 'Ops' }, 'operator action');
      root.logger.warn(`switch recommendations is now off (${i})`);
      root.logger.fatal('cannot continue');
      root.logger.warn('ordinary warning');
    }
    root.flushSummaries();
    const written = lines();
    expect(written.filter((l) => l.msg === 'closing redis failed')).toHaveLength(500);
    expect(written.filter((l) => l.msg === 'operator action')).toHaveLength(500);
    expect(written.filter((l) => String(l.msg).startsWith('switch recommendations'))).toHaveLength(500);
    expect(written.filter((l) => l.msg === 'cannot continue')).toHaveLength(500);
    expect(written.filter((l) => l.msg === 'ordinary warning')).toHaveLength(1);
    expect(written.filter((l) => l.context === 'LogRateLimit')).toEqual([expect.objectContaining({ suppressed: 499, template: 'ordinary warning' })]);
  });

  it('writes every line when LOG_RATE_LIMIT_ENABLED=false', () => {
    const { stream, lines } = sink();
    const root = createRootLogger(config({ LOG_RATE_LIMIT_ENABLED: 'false' }), { stream });
    for (let i = 0; i < 1000; i++) root.logger.error('same error');
    root.flushSummaries();
    expect(lines()).toHaveLength(1000);
    expect(root.limiter).toBeUndefined();
  });
});
