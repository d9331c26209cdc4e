import { loadConfig } from '../../src/config/config.loader';
import { redisConfig, type RedisConfig } from '../../src/redis';

/** The kit's Redis config for `url` (both roles on it), as the app would load it from `env`. */
export function redisConfigFor(url: string, env: Record<string, string> = {}): RedisConfig {
  return loadConfig([redisConfig], { REDIS_URL: url, REDIS_CONNECT_TIMEOUT_MS: '1000', REDIS_RETRY_MAX_DELAY_MS: '100', ...env }).get(redisConfig);
}
