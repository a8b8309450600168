// Events the API publishes, and the one small interface every transport
// (in-process now, Redis for many instances) implements. Payloads are plain
// JSON so they cross a process boundary unchanged.
import type { MessageModel } from '../messages/model.js';

export interface MessageEventPayload {
  id: string;
  content: string;
  authorId: string;
  createdAt: string;
  updatedAt: string;
  edited: boolean;
  author: { id: string; username: string; createdAt: string };
}

export interface EventPayloads {
  MESSAGE_CREATED: MessageEventPayload;
  MESSAGE_UPDATED: MessageEventPayload;
  MESSAGE_DELETED: { id: string; authorId: string };
  /** Sessions that must stop working now (logout, refresh-token reuse). */
  SESSIONS_REVOKED: { userId: string; sessionIds: string[] | 'all' };
}

export type Topic = keyof EventPayloads;

export interface EventBus {
  /** Resolves once the event is handed to the transport. */
  publish<T extends Topic>(topic: T, payload: EventPayloads[T]): Promise<void>;
  /** For GraphQL subscriptions: ends when the subscriber stops (return()). */
  iterate<T extends Topic>(topic: T): AsyncIterableIterator<EventPayloads[T]>;
  /** For server-side listeners; returns the unsubscribe function. */
  listen<T extends Topic>(topic: T, handler: (payload: EventPayloads[T]) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export function toMessageEvent(message: MessageModel & { author: NonNullable<MessageModel['author']> }): MessageEventPayload {
  return {
    id: message.id,
    content: message.content,
    authorId: message.authorId,
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
    createdAt: new Date(event.createdAt),
    updatedAt: new Date(event.updatedAt),
    edited: event.edited,
    author: { id: event.author.id, username: event.author.username, createdAt: new Date(event.author.createdAt) },
  };
}
