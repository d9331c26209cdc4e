import { HttpException, NotFoundException } from '@nestjs/common';
import { DependencyUnavailableError, RequestValidationError } from './http.errors';
import { toProblem } from './problem.mapper';

describe('toProblem', () => {
  const context = { instance: '/products/1', requestId: 'r-1' };

  it('keeps the code, detail and field problems of an ApiError', () => {
    const mapped = toProblem(new RequestValidationError('bad', { errors: [{ pointer: '#/name', detail: 'must not be empty' }] }), context);
    expect(mapped).toEqual({
      body: {
        type: '/problems/validation',
        title: 'Invalid request',
        status: 400,
        detail: 'bad',
        instance: '/products/1',
        code: 'E_VALIDATION',
        requestId: 'r-1',
        errors: [{ pointer: '#/name', detail: 'must not be empty' }],
      },
      headers: {},
      logAsError: false,
    });
  });

  it('carries Retry-After on a 503 and does not log it as a bug', () => {
    const mapped = toProblem(new DependencyUnavailableError('down', { retryAfterSeconds: 5 }), context);
    expect(mapped.headers).toEqual({ 'retry-after': '5' });
    expect(mapped.logAsError).toBe(false);
    expect(mapped.body.status).toBe(503);
  });

  it('maps framework 4xx by status with their safe message', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'), context).body).toMatchObject({ status: 404, code: 'E_NOT_FOUND', detail: 'Cannot GET /x' });
    expect(toProblem(new HttpException('too big', 413), context).body).toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE' });
    expect(toProblem(new HttpException('odd', 418), context).body).toMatchObject({ code: 'E_HTTP_418' });
  });

  it('hides everything about an unexpected error', () => {
    const error = new Error('relation "products" does not exist at SELECT * FROM products');
    const mapped = toProblem(error, context);
    expect(mapped.body).toMatchObject({ status: 500, code: 'E_INTERNAL' });
    expect(JSON.stringify(mapped.body)).not.toMatch(/relation|SELECT|stack/);
    expect(mapped.logAsError).toBe(true);
  });
});
