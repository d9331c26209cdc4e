import { Logger, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of, throwError } from 'rxjs';
import { CacheEvictInterceptor } from './cache-evict.interceptor';
import { CacheEvict, type CacheEvictOptions } from './cache-evict.decorator';
import type { CacheService } from './cache.service';

/** What the interceptor does around one handler call, with a recording stand-in for CacheService. */
function setUp(options: CacheEvictOptions, params: Record<string, string>, tagFails?: string) {
  const calls: string[] = [];
  const cache = {
    enabled: true,
    delete: async (...keys: string[]) => void calls.push(`delete ${keys.join(',')}`),
    deleteByTag: async (tag: string) => {
      if (tag === tagFails) throw new Error('Connection is closed.');
      calls.push(`tag ${tag}`);
      return 1;
    },
  } as unknown as CacheService;
  class Routes {
    @CacheEvict(options)
    handler(): void {}
  }
  const context = {
    getHandler: () => Routes.prototype.handler,
    switchToHttp: () => ({ getRequest: () => ({ params }) }),
  } as unknown as ExecutionContext;
  const interceptor = new CacheEvictInterceptor(new Reflector(), cache);
  const run = (handle: CallHandler['handle']) => lastValueFrom(interceptor.intercept(context, { handle }));
  return { calls, run };
}

describe('CacheEvictInterceptor', () => {
  it('evicts the built keys and every tag after the handler, and passes its value on', async () => {
    const { calls, run } = setUp({ keys: ['note:{id}', (p) => `owner:${p.owner}`], tags: ['notes', 'by-owner:{owner}'] }, { id: '7', owner: 'ann' });
    const value = await run(() => {
      calls.push('handler');
      return of({ stored: true });
    });
    expect(value).toEqual({ stored: true });
    expect(calls).toEqual(['handler', 'delete note:7,owner:ann', 'tag notes', 'tag by-owner:ann']);
  });

  it('skips a template whose parameter is missing', async () => {
    const { calls, run } = setUp({ keys: ['note:{id}', 'list:{page}'], tags: ['page:{page}'] }, { id: '7' });
    await run(() => of(1));
    expect(calls).toEqual(['delete note:7']);
  });

  it('evicts nothing when the handler fails', async () => {
    const { calls, run } = setUp({ keys: ['note:{id}'], tags: ['notes'] }, { id: '7' });
    await expect(run(() => throwError(() => new Error('write failed')))).rejects.toThrow('write failed');
    expect(calls).toEqual([]);
  });

  it('logs a tag it cannot evict, evicts the others, and still answers the value', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { calls, run } = setUp({ tags: ['a', 'b'] }, {}, 'a');
    await expect(run(() => of('done'))).resolves.toBe('done');
    expect(calls).toEqual(['tag b']);
    expect(warn).toHaveBeenCalledWith('tag "a" not evicted: Connection is closed.');
    warn.mockRestore();
  });
});
