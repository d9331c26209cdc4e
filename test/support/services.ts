/**
 * Where the real services of the e2e tests are. Defaults match the local
 * services CI starts; TEST_DATABASE_URL / TEST_REDIS_URL point elsewhere.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
