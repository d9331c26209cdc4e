import type Redis from 'ioredis';

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
export function subscribeOnReady(subscriber: Redis, channel: string, handlers: SubscriptionHandlers): () => void {
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
