import type Redis from 'ioredis';
import { withTimeout } from '../lifecycle';

/** Room the client gives Redis's own WAIT timeout before it stops waiting for the reply (a connection that hangs). */
const REPLY_SLACK_MS = 1_000;

/**
 * The WAITs of one connection to one server, shared (group commit): WAIT
 * blocks the connection it is sent on, so one is in flight at a time, and
 * every caller that arrives meanwhile joins the next one, sent once the one
 * in flight settled (that one may have been sent before their writes). Each
 * WAIT is bounded by its timeout plus {@link REPLY_SLACK_MS}.
 */
export class SharedWait {
  private inFlight?: Promise<number>;
  private next?: Promise<number>;

  constructor(
    private readonly connection: Pick<Redis, 'wait'>,
    private readonly minReplicas: number,
    private readonly timeoutMs: number,
  ) {}

  /** Replicas that acknowledged every write sent on the connection before this call (a WAIT sent after it). */
  acked(): Promise<number> {
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
    const sent = withTimeout(this.connection.wait(this.minReplicas, this.timeoutMs), this.timeoutMs + REPLY_SLACK_MS, 'WAIT');
    this.inFlight = sent;
    const settled = (): void => {
      if (this.inFlight === sent) this.inFlight = undefined;
    };
    sent.then(settled, settled);
    return sent;
  }
}

/** One {@link SharedWait} per connection and WAIT arguments, so that every user of a connection (several features on one producer) shares its WAITs. */
const sharedWaits = new WeakMap<object, Map<string, SharedWait>>();

/** The {@link SharedWait} of `connection` for `minReplicas` / `timeoutMs`, made on first use. */
export function sharedWaitOf(connection: Pick<Redis, 'wait'>, minReplicas: number, timeoutMs: number): SharedWait {
  let byArgs = sharedWaits.get(connection);
  if (!byArgs) sharedWaits.set(connection, (byArgs = new Map<string, SharedWait>()));
  const key = `${minReplicas}/${timeoutMs}`;
  let wait = byArgs.get(key);
  if (!wait) byArgs.set(key, (wait = new SharedWait(connection, minReplicas, timeoutMs)));
  return wait;
}
