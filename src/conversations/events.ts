// The conversation events on the event bus (one topic; JSON payloads, dates
// as ISO strings). Each instance's ConversationFeed (feed.ts) receives them
// and hands them to its live streams.
import type { MessageEventPayload } from '../messages/events.js';
import type { DurableEventType, EventType } from './model.js';
import type { EventBus } from '../pubsub/events.js';
import type { StoredEvent } from './history.js';

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

/** Publishes committed events (after the transaction, so subscribers can read them back), in position order. */
export async function publishEvents(
  events: EventBus<ConversationEvents>,
  stored: StoredEvent[],
  extra: (event: StoredEvent) => Pick<ConversationBusEvent, 'message' | 'role'> = () => ({}),
): Promise<void> {
  for (const event of stored) await events.publish('CONVERSATION_EVENT', toBusEvent(event, extra(event)));
}
