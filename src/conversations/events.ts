// The conversation events on the event bus (one topic; JSON payloads, dates
// as ISO strings). Each instance's ConversationFeed (feed.ts) receives them
// and hands them to its live streams.
import type { MessageEventPayload } from '../messages/events.js';
import type { DurableEventType, EventType } from './model.js';
import type { EventBus } from '../pubsub/events.js';
import type { StoredEvent } from './history.js';
import type { ConversationCache } from './cache.js';

export interface ConversationBusEvent {
  type: EventType;
  conversationId: string;
  /** The event's position in its conversation; null for typing. */
  seq: number | null;
  at: string;
  messageId: string | null;
  userId: string | null;
  /** MESSAGE_CREATED / MESSAGE_UPDATED: the message as written. */
  message?: MessageEventPayload;
  /** MEMBER_JOINED: the new membership's role and join time. */
  role?: string;
}

export interface ConversationEvents {
  CONVERSATION_EVENT: ConversationBusEvent;
}

export function toBusEvent(event: StoredEvent, extra: Pick<ConversationBusEvent, 'message' | 'role'> = {}): ConversationBusEvent {
  return {
    type: event.type as DurableEventType,
    conversationId: event.conversationId,
    seq: event.seq,
    at: event.at.toISOString(),
    messageId: event.messageId,
    userId: event.userId,
    ...extra,
  };
}

export interface PublishDeps {
  events: EventBus<ConversationEvents>;
  conversationCache: ConversationCache;
}

/**
 * After a commit: forgets this instance's cached view of the conversation
 * (so a read after the response sees the change), then publishes the events
 * in position order (subscribers can read them back).
 */
export async function publishCommitted(
  deps: PublishDeps,
  stored: StoredEvent[],
  extra: (event: StoredEvent) => Pick<ConversationBusEvent, 'message' | 'role'> = () => ({}),
): Promise<void> {
  if (stored[0]) deps.conversationCache.changed(stored[0].conversationId);
  for (const event of stored) await deps.events.publish('CONVERSATION_EVENT', toBusEvent(event, extra(event)));
}

/** Which events change what ConversationCache keeps (read positions and typing do not). */
export const changesConversation = (event: ConversationBusEvent): boolean => event.type !== 'TYPING' && event.type !== 'READ_POSITION';
