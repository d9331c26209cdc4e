import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisConnection } from './redis.connection';

/** What {@link subscribeOnReady} reports to its caller. */
export interface SubscriptionHandlers {
  /** Each message published on the channel. */
  readonly onMessage: (message: string) => void;
  /**
   * After each SUBSCRIBE Redis confirmed. `resubscribed`: it is not the first
   * one sent, so the connection was lost since the first and messages
   * published meanwhile may have been missed. @default nothing
   */
  readonly onSubscribed?: (event: { readonly resubscribed: boolean }) => void;
  /** A SUBSCRIBE failed (the connection dropped before the reply); the next `ready` tries again. */
  readonly onError: (error: Error) => void;
}

/**
 * Subscribes `subscriber` (a `subscriber`-profile connection, whose ioredis
 * auto-resubscribe is off) to `channel` now if it is ready, and again on
 * every `ready` after a reconnection: Redis forgets a connection's
 * subscriptions when it drops. Returns a function that stops listening
 * (it does not unsubscribe; the connection's owner closes it).
 *
 * @example subscribeOnReady(subscriber, 'bulwark:bus', { onMessage: apply, onSubscribed: ({ resubscribed }) => resubscribed && clearL1(), onError: warn })
 */
export function subscribeOnReady(subscriber: RedisConnection, channel: string, handlers: SubscriptionHandlers): () => void {
  const sharded = isCluster(subscriber);
  // On one server every `ready` follows a reconnection; a cluster client stays ready through a failover, and
  // its sharded subscribers announce their new connections with `subscribersReady`.
  const messageEvent = sharded ? 'smessage' : 'message';
  const againEvent = sharded ? 'subscribersReady' : 'ready';
  let sent = 0;
  const onMessage = (from: string, message: string): void => {
    if (from === channel) handlers.onMessage(message);
  };
  const subscribe = (): void => {
    const resubscribed = ++sent > 1;
    try {
      (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel))
        .then(() => handlers.onSubscribed?.({ resubscribed }))
        // Also what onSubscribed throws: never an unhandled rejection.
        .catch((error: Error) => handlers.onError(error));
    } catch (error) {
      // A cluster client throws at once while it does not know the slots' owners yet; the next event tries again.
      handlers.onError(error as Error);
    }
  };
  const first = (): void => {
    if (sent === 0) subscribe();
  };
  const again = (): void => {
    if (sent > 0) subscribe();
  };
  subscriber.on(messageEvent, onMessage);
  // `again` before `first`: on one server both listen to `ready`, and the first one must not be sent twice.
  subscriber.on(againEvent, again);
  subscriber.on('ready', first);
  if (subscriber.status === 'ready') first();
  return () => {
    subscriber.off(messageEvent, onMessage);
    subscriber.off(againEvent, again);
    subscriber.off('ready', first);
  };
}

/**
 * PUBLISH on one server, SPUBLISH (sharded, see {@link subscribeOnReady}) on a cluster.
 * Resolves with the number of subscribers reached (on a cluster: those of the channel's shard, every one).
 */
export async function publish(connection: RedisConnection, channel: string, message: string): Promise<number> {
  return (await (isCluster(connection) ? connection.spublish(channel, message) : connection.publish(channel, message))) as number;
}

/**
 * {@link publish} queued on a MULTI or pipeline of `connection`. On a cluster the channel is a key
 * of the transaction: it must hash to the slot of its other keys (a shared hash tag).
 */
export function queuePublish(connection: RedisConnection, commander: ChainableCommander, channel: string, message: string): ChainableCommander {
  return isCluster(connection) ? commander.spublish(channel, message) : commander.publish(channel, message);
}
