import type { RedisConnection } from './redis.connection';
import { withTimeout } from '../lifecycle';
import { ReplicasUnconfirmedError } from './redis.errors';

/** Room the client gives Redis's own WAIT timeout before it stops waiting for the reply (a connection that hangs). */
const REPLY_SLACK_MS = 1_000;

/**
 * Replica acknowledgement of the writes sent on one connection: Redis replicates
 * asynchronously, so a write the primary acknowledged but no replica holds yet
 * is gone after a failover. `WAIT numreplicas timeout` blocks the connection
 * until that many replicas hold every write it sent before; the write path
 * calls {@link confirm} after its Redis writes and before it answers 2xx.
 *
 * WAIT covers one connection's writes, and only while it stays on one server:
 * take a {@link mark} before the first write and pass it to `confirm`, which
 * fails if the connection closed in between (its writes may be on a primary
 * that is gone). Concurrent callers share WAITs (group commit): one sent after
 * a caller's writes answered covers them all, and the connection, which WAIT
 * blocks, sends at most one at a time.
 *
 * With `minReplicas` 0 nothing is sent. What it does not give: strong
 * consistency. A confirmed write is on `minReplicas` replicas' memory (not
 * their disk), and a failover may still promote a replica that lacks it when
 * others had it (Sentinel prefers the most up-to-date replica).
 */
export class ReplicaWait {
  private epoch = 0;
  private inFlight?: Promise<number>;
  private next?: Promise<number>;

  constructor(
    private readonly client: RedisConnection,
    readonly minReplicas: number,
    readonly timeoutMs: number,
  ) {
    client.on('close', () => this.epoch++);
  }

  /** The connection's current epoch: take it before the writes that {@link confirm} is to cover. */
  mark(): number {
    return this.epoch;
  }

  /**
   * Resolves once `minReplicas` replicas hold every write sent on the connection
   * before the call; rejects with {@link ReplicasUnconfirmedError} when fewer
   * confirm within `timeoutMs`, when the WAIT fails, or when the connection was
   * lost since `mark`.
   */
  async confirm(mark: number): Promise<void> {
    if (this.minReplicas === 0) return;
    let acked: number;
    try {
      acked = await this.shared();
    } catch (error) {
      throw new ReplicasUnconfirmedError(`waiting for replicas failed: ${(error as Error).message}`, { cause: error });
    }
    if (this.epoch !== mark) throw new ReplicasUnconfirmedError('the connection to the primary was lost between the write and its confirmation');
    if (acked < this.minReplicas) {
      throw new ReplicasUnconfirmedError(`${acked} of ${this.minReplicas} replica(s) confirmed within ${this.timeoutMs} ms`);
    }
  }

  /** A WAIT sent after this call: the one in flight was sent before, so the caller joins the next one. */
  private shared(): Promise<number> {
    if (!this.inFlight) return this.send();
    this.next ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.send();
      });
    return this.next;
  }

  private send(): Promise<number> {
    const sent = withTimeout(this.client.wait(this.minReplicas, this.timeoutMs), this.timeoutMs + REPLY_SLACK_MS, 'WAIT');
    this.inFlight = sent;
    const settled = (): void => {
      if (this.inFlight === sent) this.inFlight = undefined;
    };
    sent.then(settled, settled);
    return sent;
  }
}
