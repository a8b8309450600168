// "Is typing…": ephemeral, never stored. A member's TypingEvent is published
// at most once per TYPING_INTERVAL_SECONDS and conversation; calls in
// between publish nothing (and still succeed). With Redis the throttle is
// shared by every instance, so a client spreading calls over instances gains
// nothing.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/client.js';
import type { EventBus } from '../pubsub/events.js';
import { limiterKey } from '../auth/rateLimits.js';
import { requireMember } from './access.js';
import type { ConversationEvents } from './events.js';

export const TYPING_INTERVAL_SECONDS = 3;

export class TypingThrottle {
  private readonly limiter: RateLimiterAbstract;

  constructor(redis?: { client: Redis; prefix: string }) {
    const options = { points: 1, duration: TYPING_INTERVAL_SECONDS, keyPrefix: 'typing' };
    this.limiter = redis
      ? new RateLimiterRedis({ ...options, keyPrefix: `${redis.prefix}typing`, storeClient: redis.client, insuranceLimiter: new RateLimiterMemory(options) })
      : new RateLimiterMemory(options);
  }

  /** True when this call may publish (the first in its interval). */
  async admit(conversationId: string, userId: string): Promise<boolean> {
    try {
      await this.limiter.consume(limiterKey(conversationId, userId));
      return true;
    } catch (result) {
      if (result instanceof RateLimiterRes) return false;
      throw result;
    }
  }
}

export interface TypingDeps {
  db: Db;
  events: EventBus<ConversationEvents>;
  typing: TypingThrottle;
}

export async function typing(deps: TypingDeps, viewerId: string, conversationId: string): Promise<boolean> {
  await requireMember(deps.db, viewerId, conversationId);
  if (await deps.typing.admit(conversationId, viewerId)) {
    await deps.events.publish('CONVERSATION_EVENT', {
      type: 'TYPING',
      conversationId,
      seq: null,
      at: new Date().toISOString(),
      messageId: null,
      userId: viewerId,
    });
  }
  return true;
}
