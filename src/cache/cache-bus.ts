import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { subscribeOnReady } from '../redis';

/** What travels on the bus: the keys to drop from L1, and who sent them. */
interface BusMessage {
  readonly origin: string;
  readonly keys: readonly string[];
}

/**
 * L1 coherence across pods over Redis pub/sub: a write on one instance
 * publishes the keys it changed and every other instance drops them from its
 * L1. An instance whose subscription dropped may have missed messages, so it
 * clears its whole L1 once Redis confirms the subscription again (after the
 * confirmation, so that what was cached between the reconnection and the
 * reply goes too).
 */
export class CacheBus {
  private readonly logger = new Logger('CacheBus');
  /** This instance's id: its own messages are not applied twice. */
  readonly instanceId = randomUUID();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly handlers: { onKeys: (keys: readonly string[]) => void; onGap: () => void },
  ) {}

  /** Subscribes now if connected, and again on every reconnection. */
  start(): void {
    subscribeOnReady(this.subscriber, this.channel, {
      onMessage: (text) => {
        const message = parse(text);
        if (message && message.origin !== this.instanceId) this.handlers.onKeys(message.keys);
      },
      onSubscribed: ({ resubscribed }) => {
        if (!resubscribed) return;
        this.logger.warn('bus reconnected: clearing L1, invalidations may have been missed');
        this.handlers.onGap();
      },
      onError: (error) => this.logger.warn(`subscribe failed: ${error.message}`),
    });
  }

  /** Tells the other instances to drop `keys` from L1. False when Redis is unreachable (they expire by L1 TTL). */
  async publish(keys: readonly string[]): Promise<boolean> {
    if (keys.length === 0) return true;
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ origin: this.instanceId, keys } satisfies BusMessage));
      return true;
    } catch {
      return false;
    }
  }
}

function parse(text: string): BusMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<BusMessage>;
    return typeof value.origin === 'string' && Array.isArray(value.keys) ? (value as BusMessage) : undefined;
  } catch {
    return undefined;
  }
}
