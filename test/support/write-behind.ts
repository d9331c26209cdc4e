import type { INestApplication } from '@nestjs/common';
import { WriteBehindRegistry } from '../../src/write-behind/write-behind.registry';
import { waitFor } from './test-app';

/**
 * Waits until every write the app accepted has landed in PostgreSQL (or
 * become a dead letter): no pending state left in Redis for any entity.
 * Writes are write-behind: a test that reads PostgreSQL right after a 2xx
 * waits here first.
 */
export async function writesFlushed(app: INestApplication, timeoutMs = 10_000): Promise<void> {
  const registry = app.get(WriteBehindRegistry, { strict: false });
  await waitFor(
    async () => {
      for (const feature of registry.all()) if ((await feature.state.pendingCount()) > 0) return false;
      return true;
    },
    timeoutMs,
    'write-behind writes to land in PostgreSQL',
  );
}
