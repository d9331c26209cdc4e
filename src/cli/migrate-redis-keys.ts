import { ConfigValidationError, loadConfig, readProcessEnv } from '../config';
import { bootFailureMessage } from '../app.factory';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisClient, describeEndpoint, isCluster, migrateKeyNames, redisConfig } from '../redis';

/**
 * `npm run redis:migrate-keys`: moves the queue Redis's write state, BullMQ queues and switch
 * overrides from the key names of the versions before hash tags to the new ones (see
 * `migrateKeyNames`), so that writes acknowledged before an upgrade still land. Run it with every
 * app process stopped, between the old version's last process and the new one's first, with the
 * app's environment (REDIS_URL or REDIS_QUEUE_URL, Sentinel variables, REDIS_KEY_PREFIX). A
 * Redis Cluster needs none: the old versions could not run on one. Exit 1 when a key could not
 * move (its new name was taken: a new process ran already).
 */
async function main(): Promise<number> {
  const config = loadConfig([redisConfig], readProcessEnv()).get(redisConfig);
  const client = createRedisClient(config, 'queue', 'key-migration');
  try {
    // The command profile has no offline queue: wait until the connection is up (or give up).
    await Promise.race([
      once(client, 'ready'),
      sleep(Math.max(10_000, config.connectTimeoutMs)).then(() => {
        throw new Error(`the queue Redis (${describeEndpoint(config.roles.queue)}) did not answer`);
      }),
    ]);
    if (isCluster(client)) {
      process.stdout.write('Redis Cluster: key names have had hash tags from the start; nothing to move.\n');
      return 0;
    }
    const { renamed, conflicts } = await migrateKeyNames(client, config.keyPrefix);
    process.stdout.write(`moved ${renamed} keys under ${config.keyPrefix} to their new names\n`);
    if (conflicts.length === 0) return 0;
    process.stderr.write(
      `${conflicts.length} keys not moved, their new names exist already (was a new process started?): ${conflicts.slice(0, 10).join(', ')}\n`,
    );
    return 1;
  } finally {
    client.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A bad environment reads as at boot; anything else as one line, without a stack.
    process.stderr.write(
      `${error instanceof ConfigValidationError ? bootFailureMessage(error) : `key migration failed: ${(error as Error)?.message ?? String(error)}`}\n`,
    );
    process.exit(1);
  },
);
