import { EventEmitter } from 'node:events';
import { PubSub } from 'graphql-subscriptions';
import type { EventBus, EventMap } from './events.js';

/**
 * In-process events (one instance). Payloads go through JSON like they would
 * through Redis, so a payload that would not survive the wire fails here too.
 */
export function createMemoryEventBus<Events extends EventMap>(): EventBus<Events> {
  const eventEmitter = new EventEmitter();
  eventEmitter.setMaxListeners(0); // one listener per live subscription is expected
  const pubsub = new PubSub<Record<string, unknown>>({ eventEmitter });
  return {
    async publish(topic, payload) {
      const copy = JSON.parse(JSON.stringify(payload));
      // Deliver on the next turn of the event loop, as a network bus would:
      // the publisher's HTTP response is not held up by running every
      // subscriber's resolvers first.
      setImmediate(() => void pubsub.publish(topic, copy));
    },
    iterate<T extends keyof Events & string>(topic: T) {
      return pubsub.asyncIterableIterator(topic) as AsyncIterableIterator<Events[T]>;
    },
    async listen<T extends keyof Events & string>(topic: T, handler: (payload: Events[T]) => void) {
      const id = await pubsub.subscribe(topic, handler as (payload: unknown) => void);
      return async () => pubsub.unsubscribe(id);
    },
    async close() {},
  };
}
