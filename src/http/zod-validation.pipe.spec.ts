import { z } from 'zod';
import { RequestValidationError } from './http.errors';
import { ZodValidationPipe } from './zod-validation.pipe';

describe('ZodValidationPipe', () => {
  const body = new ZodValidationPipe(z.strictObject({ name: z.string().min(1), 'a/b': z.number().optional(), tags: z.array(z.string()).optional() }));

  function problems(run: () => unknown) {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(RequestValidationError);
      return { detail: (error as RequestValidationError).message, errors: (error as RequestValidationError).errors };
    }
    throw new Error('expected a RequestValidationError');
  }

  it('returns the parsed value', () => {
    expect(body.transform({ name: 'x' }, { type: 'body' })).toEqual({ name: 'x' });
  });

  it('points at body fields with escaped JSON Pointers, one problem per unknown field', () => {
    const result = problems(() => body.transform({ name: '', 'a/b': 'x', tags: [1], extra: 1, more: 2 }, { type: 'body' }));
    expect(result.errors?.map((e) => e.pointer)).toEqual(['#/name', '#/a~1b', '#/tags/0', '#/extra', '#/more']);
    expect(result.detail).toBe('The request is invalid: 5 problems, listed in errors.');
  });

  it('names the root of the body and the parameter of a path or query value', () => {
    expect(problems(() => body.transform(null, { type: 'body' })).errors?.[0]?.pointer).toBe('#');
    const param = problems(() => new ZodValidationPipe(z.string().regex(/^\d+$/)).transform('x', { type: 'param', data: 'id' }));
    expect(param.errors).toEqual([{ parameter: 'id', detail: expect.any(String) }]);
    expect(param.detail).toMatch(/^The request is invalid: id /);
  });
});
