// The message events (topics and JSON payloads) and their mapping to and
// from the model. Dates travel as ISO strings.
import type { MessageModel } from './model.js';

export interface MessageEventPayload {
  id: string;
  content: string;
  authorId: string;
  conversationId: string | null;
  clientMessageId: string | null;
  createdAt: string;
  updatedAt: string;
  edited: boolean;
  author: { id: string; username: string; createdAt: string };
}

export interface MessageEvents {
  MESSAGE_CREATED: MessageEventPayload;
  MESSAGE_UPDATED: MessageEventPayload;
  MESSAGE_DELETED: { id: string; authorId: string };
}

export function toMessageEvent(message: MessageModel & { author: NonNullable<MessageModel['author']> }): MessageEventPayload {
  return {
    id: message.id,
    content: message.content,
    authorId: message.authorId,
    conversationId: message.conversationId,
    clientMessageId: message.clientMessageId,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
    edited: message.edited,
    author: { id: message.author.id, username: message.author.username, createdAt: message.author.createdAt.toISOString() },
  };
}

export function fromMessageEvent(event: MessageEventPayload): MessageModel {
  return {
    id: event.id,
    content: event.content,
    authorId: event.authorId,
    conversationId: event.conversationId,
    clientMessageId: event.clientMessageId,
    createdAt: new Date(event.createdAt),
    updatedAt: new Date(event.updatedAt),
    edited: event.edited,
    author: { id: event.author.id, username: event.author.username, createdAt: new Date(event.author.createdAt) },
  };
}
