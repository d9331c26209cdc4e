import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis';
import { publish, subscribeOnReady } from '../redis';

/** What travels on the bus: the keys to drop from L1, who sent them, and the number the sender waits to see acknowledged. */
interface BusMessage {
  readonly origin: string;
  readonly keys: readonly string[];
  readonly seq?: number;
  /** The sender could not write or delete the keys in L2, which may hold outdated values: receivers skip L2 for them too. */
  readonly l2Stale?: true;
}

export interface CacheBusOptions {
  /**
   * How long `publish` waits for every other instance to acknowledge that it dropped the keys (0: it
   * does not wait). Past it, `publish` resolves anyway and `onAckTimeout` is called.
   */
  readonly ackTimeoutMs: number;
}

interface AckWait {
  /** Acknowledgements expected: the subscribers PUBLISH reached, but this instance (unknown until PUBLISH answers). */
  expected: number;
  received: number;
  readonly done: () => void;
}

/**
 * L1 coherence across pods over Redis pub/sub: a write on one instance
 * publishes the keys it changed and every other instance drops them from its
 * L1. An instance whose subscription dropped may have missed messages, so it
 * clears its whole L1 once Redis confirms the subscription again (after the
 * confirmation, so that what was cached between the reconnection and the
 * reply goes too).
 *
 * Acknowledged: a message reaches the other pods' sockets before PUBLISH even
 * answers, but a busy pod may still answer a request from its L1 before it
 * reads the message, so a client that wrote through one pod and reads through
 * another could see the version before its own write. So each receiver, once
 * it has dropped the keys, acknowledges on the sender's own channel, and
 * `publish` (which the write awaits before it answers) resolves once every
 * subscriber PUBLISH reached has (or `ackTimeoutMs` passed). Cost: one round
 * trip to the slowest pod per write, nothing on reads. Only the app's
 * instances may subscribe to the bus channel: another subscriber never
 * acknowledges, and every write would wait the whole timeout.
 */
export class CacheBus {
  private readonly logger = new Logger('CacheBus');
  /** This instance's id: its own messages are not applied twice. */
  readonly instanceId = randomUUID();
  private seq = 0;
  private readonly waits = new Map<number, AckWait>();

  constructor(
    private readonly publisher: RedisConnection,
    private readonly subscriber: RedisConnection,
    private readonly channel: string,
    private readonly handlers: { onKeys: (keys: readonly string[], l2Stale: boolean) => void; onGap: () => void; onAckTimeout?: () => void },
    private readonly options: CacheBusOptions = { ackTimeoutMs: 0 },
  ) {}

  /** Subscribes now if connected, and again on every reconnection. */
  start(): void {
    subscribeOnReady(this.subscriber, this.channel, {
      onMessage: (text) => {
        const message = parse(text);
        if (!message || message.origin === this.instanceId) return;
        this.handlers.onKeys(message.keys, message.l2Stale === true);
        // Dropped: say so to the sender, which holds its client's answer until every pod has.
        if (message.seq !== undefined) publish(this.publisher, ackChannel(this.channel, message.origin), String(message.seq)).catch(() => undefined);
      },
      onSubscribed: ({ resubscribed }) => {
        if (!resubscribed) return;
        this.logger.warn('bus reconnected: clearing L1, invalidations may have been missed');
        this.handlers.onGap();
      },
      onError: (error) => this.logger.warn(`subscribe failed: ${error.message}`),
    });
    if (this.options.ackTimeoutMs > 0) {
      subscribeOnReady(this.subscriber, ackChannel(this.channel, this.instanceId), {
        onMessage: (text) => {
          const wait = this.waits.get(Number(text));
          if (wait && ++wait.received >= wait.expected) wait.done();
        },
        onError: (error) => this.logger.warn(`subscribe to acknowledgements failed: ${error.message}`),
      });
    }
  }

  /**
   * Tells the other instances to drop `keys` from L1 and, with `ackTimeoutMs`, waits until they all
   * have (at most that long). False when Redis is unreachable (they expire by L1 TTL, or clear L1
   * when their own subscription comes back).
   */
  async publish(keys: readonly string[], { l2Stale = false }: { l2Stale?: boolean } = {}): Promise<boolean> {
    if (keys.length === 0) return true;
    const acked = this.options.ackTimeoutMs > 0;
    const seq = acked ? ++this.seq : undefined;
    const message: BusMessage = { origin: this.instanceId, keys, ...(seq === undefined ? {} : { seq }), ...(l2Stale ? { l2Stale: true } : {}) };
    let timer: NodeJS.Timeout | undefined;
    let done!: () => void;
    const acknowledged = new Promise<void>((resolve) => (done = resolve));
    // Registered before PUBLISH: acknowledgements may arrive before its reply.
    const wait: AckWait = { expected: Number.POSITIVE_INFINITY, received: 0, done };
    if (seq !== undefined) this.waits.set(seq, wait);
    try {
      const reached = await publish(this.publisher, this.channel, JSON.stringify(message));
      if (seq === undefined) return true;
      // PUBLISH counts this instance's own subscription too, when it is subscribed.
      wait.expected = Math.max(0, reached - 1);
      if (wait.received >= wait.expected) return true;
      const timedOut = await Promise.race([
        acknowledged.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.options.ackTimeoutMs))),
      ]);
      if (timedOut) this.handlers.onAckTimeout?.();
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      if (seq !== undefined) this.waits.delete(seq);
    }
  }
}

/** The channel on which the instances acknowledge `origin`'s messages. */
function ackChannel(channel: string, origin: string): string {
  return `${channel}:ack:${origin}`;
}

function parse(text: string): BusMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<BusMessage>;
    return typeof value.origin === 'string' && Array.isArray(value.keys) ? (value as BusMessage) : undefined;
  } catch {
    return undefined;
  }
}
