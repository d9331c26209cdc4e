import type { ResolvedCacheOptions } from './cache.options';
import type { Loader } from './cache.types';

/** How to load any key that starts with `prefix` again, away from the request that first loaded it. */
export interface CacheReloader {
  readonly prefix: string;
  /** The loader of `key` (what a miss of it would call), with the options its reads use. */
  readonly loaderOf: (key: string) => Loader<unknown>;
  readonly options: ResolvedCacheOptions;
}

/**
 * The reloaders features declared (`CacheService.reloadable`), found by key
 * prefix. Only refresh-ahead reads them, off the request path: the L1 fast
 * path and the read path never look here.
 */
export class CacheReloaders {
  private readonly reloaders: CacheReloader[] = [];

  /** Throws when `prefix` overlaps one declared before (a key would have two loaders). */
  add(reloader: CacheReloader): void {
    const clash = this.reloaders.find((r) => r.prefix.startsWith(reloader.prefix) || reloader.prefix.startsWith(r.prefix));
    if (clash) throw new Error(`cache reloader prefix "${reloader.prefix}" overlaps "${clash.prefix}": a key may have one reloader`);
    this.reloaders.push(reloader);
  }

  /** The reloader of `key`, if a feature declared one. */
  find(key: string): CacheReloader | undefined {
    return this.reloaders.find((r) => key.startsWith(r.prefix));
  }

  get size(): number {
    return this.reloaders.length;
  }
}
