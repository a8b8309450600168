// "Is typing…": ephemeral, never stored. A member's TypingEvent is published
// at most once per TYPING_INTERVAL_SECONDS and conversation; calls in
// between publish nothing (and still succeed). With Redis the throttle is
// shared by every instance, so a client spreading calls over instances gains
// nothing.
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/client.js';
import type { EventBus } from '../pubsub/events.js';
import { createLimiter, limiterKey, type LimiterStore } from '../auth/rateLimits.js';
import { requireMember } from './access.js';
import type { ConversationEvents } from './events.js';

export const TYPING_INTERVAL_SECONDS = 3;

export class TypingThrottle {
  private readonly limiter: RateLimiterAbstract;

  constructor(redis?: LimiterStore) {
    this.limiter = createLimiter(1, TYPING_INTERVAL_SECONDS, 'typing', redis);
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
