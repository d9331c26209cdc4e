import type { ChainableCommander, Cluster } from 'ioredis';
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
  if (isCluster(subscriber)) return subscribeSharded(subscriber, channel, handlers);
  let sent = 0;
  const onMessage = (from: string, message: string): void => {
    if (from === channel) handlers.onMessage(message);
  };
  const subscribe = (): void => {
    const resubscribed = ++sent > 1;
    subscriber
      .subscribe(channel)
      .then(() => handlers.onSubscribed?.({ resubscribed }))
      // Also what onSubscribed throws: never an unhandled rejection.
      .catch((error: Error) => handlers.onError(error));
  };
  subscriber.on('message', onMessage);
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') subscribe();
  return () => {
    subscriber.off('message', onMessage);
    subscriber.off('ready', subscribe);
  };
}

/** {@link subscribeOnReady} on a cluster: SSUBSCRIBE once ready, again after each change of ioredis's sharded subscribers. */
function subscribeSharded(cluster: Cluster, channel: string, handlers: SubscriptionHandlers): () => void {
  let sent = 0;
  const onMessage = (from: string, message: string): void => {
    if (from === channel) handlers.onMessage(message);
  };
  const subscribe = (): void => {
    const resubscribed = ++sent > 1;
    try {
      cluster
        .ssubscribe(channel)
        .then(() => handlers.onSubscribed?.({ resubscribed }))
        .catch((error: Error) => handlers.onError(error));
    } catch (error) {
      // ioredis throws at once while it does not know the slots' owners yet; the next change tries again.
      handlers.onError(error as Error);
    }
  };
  const onReady = (): void => {
    if (sent === 0) subscribe();
  };
  const onSubscribers = (): void => {
    if (sent > 0) subscribe();
  };
  cluster.on('smessage', onMessage);
  cluster.on('ready', onReady);
  cluster.on('subscribersReady', onSubscribers);
  if (cluster.status === 'ready') onReady();
  return () => {
    cluster.off('smessage', onMessage);
    cluster.off('ready', onReady);
    cluster.off('subscribersReady', onSubscribers);
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
