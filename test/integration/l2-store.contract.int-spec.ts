import Redis from 'ioredis';
import { MemoryL2Store } from '../../src/cache/memory-l2.store';
import { RedisL2Store } from '../../src/cache/redis-l2.store';
import { describeL2StoreContract } from '../support/l2-store-contract';
import { deleteKeys } from '../support/redis-keys';
import { TEST_REDIS_URL } from '../support/services';
import { isolationId } from '../support/test-app';

/**
 * One contract, every L2Store: the in-memory store the read path's unit tests
 * use, and the Redis store production uses, on the real Redis (each namespace
 * a key prefix under this file's own `bulwark:test:<id>:`).
 */
describeL2StoreContract('MemoryL2Store', () => new MemoryL2Store());

describe('on the real Redis', () => {
  const base = `bulwark:test:${isolationId()}:`;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, base);
    await redis.quit();
  });

  // A generous timeout: the contract is about semantics, not about a busy machine's latency.
  describeL2StoreContract('RedisL2Store', (namespace) => new RedisL2Store(redis, { keyPrefix: `${base}${namespace}:`, timeoutMs: 1_000 }));
});
