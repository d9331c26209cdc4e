import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';

/** What travels on the bus: the keys to drop from L1, and who sent them. */
interface BusMessage {
  readonly origin: string;
  readonly keys: readonly string[];
}

/**
 * L1 coherence across pods over Redis pub/sub: a write on one instance
 * publishes the keys it changed and every other instance drops them from its
 * L1. An instance whose subscription dropped may have missed messages, so it
 * clears its whole L1 when the subscription comes back.
 */
export class CacheBus {
  private readonly logger = new Logger('CacheBus');
  /** This instance's id: its own messages are not applied twice. */
  readonly instanceId = randomUUID();
  private everConnected = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly handlers: { onKeys: (keys: readonly string[]) => void; onGap: () => void },
  ) {}

  /** Subscribes now if connected, and again on every reconnection. */
  start(): void {
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const message = parse(text);
      if (message && message.origin !== this.instanceId) this.handlers.onKeys(message.keys);
    });
    this.subscriber.on('ready', () => this.onConnected());
    if (this.subscriber.status === 'ready') this.onConnected();
  }

  private onConnected(): void {
    if (this.everConnected) {
      this.logger.warn('bus reconnected: clearing L1, invalidations may have been missed');
      this.handlers.onGap();
    }
    this.everConnected = true;
    this.subscriber.subscribe(this.channel).catch((error: Error) => this.logger.warn(`subscribe failed: ${error.message}`));
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
