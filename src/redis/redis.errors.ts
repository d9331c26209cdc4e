/**
 * Thrown at boot with REDIS_QUEUE_REQUIRE_NOEVICTION=true when the queue Redis does not report
 * `maxmemory-policy noeviction` (or it could not be read): an evicting queue Redis may delete
 * queued writes that were acknowledged. `main.ts` prints the message alone and exits 1.
 */
export class QueueEvictionPolicyError extends Error {
  readonly code = 'E_REDIS_QUEUE_EVICTION_POLICY';

  constructor(detail: string) {
    super(
      `The queue Redis must not evict (REDIS_QUEUE_REQUIRE_NOEVICTION=true): ${detail}. ` +
        'Set `maxmemory-policy noeviction` on it (and `appendonly yes`), point REDIS_QUEUE_URL / REDIS_QUEUE_SENTINELS at one that has it, ' +
        'or set REDIS_QUEUE_REQUIRE_NOEVICTION=false to start with a warning.',
    );
    this.name = 'QueueEvictionPolicyError';
  }
}

/**
 * Fewer replicas than REDIS_QUEUE_MIN_REPLICAS confirmed a write within REDIS_QUEUE_WAIT_TIMEOUT_MS,
 * or the connection was lost between the write and the confirmation: a failover may lose the
 * write, so it must not be acknowledged. The write path answers 503 (see `ReplicaWait`).
 */
export class ReplicasUnconfirmedError extends Error {
  readonly code = 'E_REDIS_REPLICAS_UNCONFIRMED';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'ReplicasUnconfirmedError';
  }
}
