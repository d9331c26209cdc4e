import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar, urlVar } from '../config';

/** The shared Redis connection (cache L2, queues, bus and health all use it). */
export const redisConfig = defineConfig(
  'redis',
  z.object({
    REDIS_URL: urlVar('redis://127.0.0.1:6379', ['redis:', 'rediss:']).describe('Redis connection URL.'),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { error: 'must be 1-64 characters of A-Z a-z 0-9 : _ . -' })
      .default('bulwark:')
      .describe('Prefix of every key this app writes; nothing outside it is ever touched.'),
    REDIS_CONNECT_TIMEOUT_MS: intVar(2000, 50).describe('Timeout of one connection attempt.'),
    REDIS_RETRY_MAX_DELAY_MS: intVar(5000, 50).describe('Cap of the jittered backoff between reconnection attempts.'),
  }),
  (env) => ({
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
    retryMaxDelayMs: env.REDIS_RETRY_MAX_DELAY_MS,
  }),
);
export type RedisConfig = ConfigOf<typeof redisConfig>;
