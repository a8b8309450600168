// Events through Redis pub/sub, so every instance sees every event. Redis is
// an optional helper, not a dependency of correctness: when it is away,
// writes still succeed (their events are dropped, with a warning),
// subscriptions resume when it returns (ioredis re-subscribes), and /readyz
// says "degraded".
import { Redis } from 'ioredis';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Logger } from '../logger.js';
import type { EventBus, EventMap } from './events.js';

export interface RedisConnections {
  /** Commands (publish, rate-limit counters). Fails fast while Redis is away instead of queueing. */
  commands: Redis;
  /** Subscriptions. Queues while away and re-subscribes on reconnect. */
  subscriber: Redis;
  isReady(): boolean;
  close(): Promise<void>;
}

export function connectRedis(url: string, log: Logger): RedisConnections {
  const common = {
    // Reconnect forever, backing off to 2 s: Redis coming back must heal us.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    maxRetriesPerRequest: 1,
  };
  const commands = new Redis(url, { ...common, enableOfflineQueue: false, connectionName: 'messaging-api:commands' });
  // No retry limit here: a SUBSCRIBE sent while Redis is away waits for it
  // instead of failing (graphql-redis-subscriptions leaves such a failure
  // unhandled, which would end the process).
  const subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null, connectionName: 'messaging-api:subscriber' });
  let warned = false;
  for (const client of [commands, subscriber]) {
    // Without a listener an ioredis error event would crash the process.
    client.on('error', (error: Error) => {
      if (!warned) log.warn({ err: error.message }, 'redis unavailable; events stay local and limits per instance until it returns');
      warned = true;
    });
    client.on('ready', () => {
      if (warned) log.info('redis connection restored');
      warned = false;
    });
  }
  return {
    commands,
    subscriber,
    isReady: () => commands.status === 'ready' && subscriber.status === 'ready',
    async close() {
      // quit() waits for replies and would hang while Redis is away.
      await Promise.all(
        [commands, subscriber].map((client) => (client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect())),
      );
    },
  };
}

export function createRedisEventBus<Events extends EventMap>(redis: RedisConnections, prefix: string, log: Logger): EventBus<Events> {
  const pubsub = new RedisPubSub({ publisher: redis.commands, subscriber: redis.subscriber });
  const channel = (topic: string) => `${prefix}${topic}`;
  return {
    async publish(topic, payload) {
      try {
        await pubsub.publish(channel(topic), payload);
      } catch (error) {
        // The write this event reports has committed; failing the request
        // now would make the client retry a write that succeeded.
        log.warn({ err: (error as Error).message, topic }, 'event not published: redis unavailable');
      }
    },
    iterate<T extends keyof Events & string>(topic: T) {
      return pubsub.asyncIterableIterator(channel(topic)) as AsyncIterableIterator<Events[T]>;
    },
    async listen<T extends keyof Events & string>(topic: T, handler: (payload: Events[T]) => void) {
      // Not awaited: while Redis is away the SUBSCRIBE waits for it, and
      // start-up (or shutdown) must not.
      let id: number | null = null;
      pubsub.subscribe(channel(topic), handler).then(
        (subscribed) => (id = subscribed),
        (error: Error) => log.warn({ err: error.message, topic }, 'could not subscribe to redis'),
      );
      return async () => {
        if (id !== null) pubsub.unsubscribe(id);
      };
    },
    // The connections belong to the app, which closes them after the bus.
    async close() {},
  };
}
