// The shapes resolvers map from (graphql-codegen mappers, codegen.yml).
import type { Conversation, Membership } from '../generated/prisma/client.js';
import type { MessageModel } from '../messages/model.js';
import type { ConnectionModel } from '../pagination.js';
import type { UserModel } from '../users/model.js';

export type ConversationKind = 'CHANNEL' | 'DIRECT';
export type ChannelVisibility = 'PUBLIC' | 'PRIVATE';
export type MemberRole = 'OWNER' | 'MEMBER';

export type ConversationModel = Conversation;
export type MembershipModel = Membership;
export type ConversationConnectionModel = ConnectionModel<ConversationModel>;
export type MembershipConnectionModel = ConnectionModel<MembershipModel>;

/** Durable event types (stored in ConversationEvent.type), plus the ephemeral TYPING. */
export type DurableEventType =
  | 'MESSAGE_CREATED'
  | 'MESSAGE_UPDATED'
  | 'MESSAGE_DELETED'
  | 'MEMBER_JOINED'
  | 'MEMBER_LEFT'
  | 'CONVERSATION_UPDATED'
  | 'READ_POSITION';
export type EventType = DurableEventType | 'TYPING';

/**
 * One event as a subscriber receives it, its subject already loaded (the
 * current state on replay, the state at the write when live). `cursor` is
 * null for typing.
 */
export interface ConversationEventModel {
  type: EventType;
  conversationId: string;
  cursor: string | null;
  at: Date;
  message?: MessageModel;
  messageId?: string;
  membership?: MembershipModel;
  userId?: string;
  user?: UserModel;
  conversation?: ConversationModel;
  lastReadMessageId?: string;
}
