// Data access and rules for messages, on the public timeline and in
// conversations. Resolvers call these; nothing here knows about GraphQL
// beyond the error helpers. Every write publishes its event after the
// commit: MESSAGE_* for the public timeline, CONVERSATION_EVENT (with a
// position, conversations/history.ts) for a conversation.
import type { Db } from '../db/client.js';
import { isRecordNotFound } from '../db/errors.js';
import { Prisma, type Message } from '../generated/prisma/client.js';
import type { EventBus } from '../pubsub/events.js';
import type { UserModel } from '../users/model.js';
import { findUserById, type UserLookupDeps } from '../users/service.js';
import { forbidden, notFound } from '../errors.js';
import { newTimeOrderedId } from '../ids.js';
import { decodeCursor, toConnection, type PageArgs } from '../pagination.js';
import { readableConversation, requireMember } from '../conversations/access.js';
import { publishCommitted, type ConversationEvents } from '../conversations/events.js';
import { countNewMessage, uncountDeletedMessage } from '../conversations/unread.js';
import type { ConversationCache } from '../conversations/cache.js';
import { recordEvents, reservePositions, TRANSACTION_OPTIONS, appendEvents, type StoredEvent } from '../conversations/history.js';
import { toMessageEvent, type MessageEvents } from './events.js';
import type { MessageConnectionModel, MessageModel } from './model.js';
import { conversationList, type TimelineCache } from './timelineCache.js';
import { insertMessage, type MessageInserts } from './inserts.js';

/** What the message functions need: the database, events, users, and the timeline's first pages. */
export interface MessageDeps extends UserLookupDeps {
  db: Db;
  timeline: TimelineCache;
  conversationCache: ConversationCache;
  events: EventBus<MessageEvents & ConversationEvents>;
  messageInserts: MessageInserts;
}

/**
 * A page of one author's public messages (newest first). The author is
 * known, so every row carries it and no author lookup follows.
 */
export async function authorPage({ db, timeline }: MessageDeps, page: PageArgs, author: UserModel): Promise<MessageConnectionModel> {
  const load = () => listRows(db, null, page, author.id);
  const rows = page.after === null ? await timeline.firstRows(author.id, page.first, load) : await load();
  return toConnection(rows, page, () => db.message.count({ where: { authorId: author.id, conversationId: null } }));
}

/** A row of listRows's JOIN: the message and its author's public fields. */
interface ListRow extends Message {
  authorUsername: string;
  authorCreatedAt: Date;
}

/** A page of the public timeline, newest first, each message with its author. */
export async function timelinePage({ db, timeline }: MessageDeps, page: PageArgs): Promise<MessageConnectionModel> {
  const load = () => listRows(db, null, page);
  const rows = page.after === null ? await timeline.firstRows(null, page.first, load) : await load();
  return toConnection(rows, page, () => db.message.count({ where: { conversationId: null } }));
}

/** A page of one conversation (the caller has checked that the viewer may read it). */
export async function conversationPage({ db, timeline }: { db: Db; timeline: TimelineCache }, conversationId: string, page: PageArgs): Promise<MessageConnectionModel> {
  const load = () => listRows(db, conversationId, page);
  const rows = page.after === null ? await timeline.firstRows(conversationList(conversationId), page.first, load) : await load();
  return toConnection(rows, page, () => db.message.count({ where: { conversationId } }));
}

/**
 * One list (the public timeline: conversationId null; or a conversation;
 * optionally one author's messages in it), newest first, with each author in
 * the same query (one JOIN instead of a page query plus an author batch).
 * Raw SQL: through the model API, Prisma's query compiler costs more than
 * the statement itself. Plain SQL that SQLite and PostgreSQL
 * both run, served by the (conversationId, createdAt, id) index (with an
 * author: (authorId, conversationId, createdAt, id)); the cursor
 * bound is the keyset of pagination.ts's olderThan(), spelled in SQL.
 */
async function listRows(db: Db, conversationId: string | null, page: PageArgs, authorId?: string): Promise<MessageModel[]> {
  const position = page.after === null ? null : decodeCursor(page.after);
  const inList = conversationId === null ? Prisma.sql`m."conversationId" IS NULL` : Prisma.sql`m."conversationId" = ${conversationId}`;
  const byAuthor = authorId === undefined ? Prisma.empty : Prisma.sql`AND m."authorId" = ${authorId}`;
  const olderThanCursor = position
    ? Prisma.sql`AND m."createdAt" <= ${position.createdAt} AND (m."createdAt" < ${position.createdAt} OR (m."createdAt" = ${position.createdAt} AND m."id" < ${position.id}))`
    : Prisma.empty;
  const rows = await db.$queryRaw<ListRow[]>`
    SELECT m."id", m."content", m."authorId", m."conversationId", m."clientMessageId", m."createdAt", m."updatedAt", m."edited",
           u."username" AS "authorUsername", u."createdAt" AS "authorCreatedAt"
    FROM "Message" m JOIN "User" u ON u."id" = m."authorId"
    WHERE ${inList} ${byAuthor} ${olderThanCursor}
    ORDER BY m."createdAt" DESC, m."id" DESC
    LIMIT ${page.first + 1}`;
  return rows.map(({ authorUsername, authorCreatedAt, ...message }) => ({
    ...message,
    edited: Boolean(message.edited),
    author: { id: message.authorId, username: authorUsername, createdAt: authorCreatedAt },
  }));
}

/** May this viewer read this message? Public timeline: yes; in a conversation: the conversation's rule. */
async function mayReadMessage(db: Db, viewerId: string, message: Pick<MessageModel, 'conversationId'>): Promise<boolean> {
  return message.conversationId === null || (await readableConversation(db, viewerId, message.conversationId)) !== null;
}

/** A message the viewer may read, else null (an unreadable one and a missing one look the same). */
export async function findReadableMessage({ db }: { db: Db }, viewerId: string, id: string): Promise<MessageModel | null> {
  const message = await db.message.findUnique({ where: { id } });
  return message && (await mayReadMessage(db, viewerId, message)) ? message : null;
}

async function withAuthor(deps: MessageDeps, message: MessageModel): Promise<MessageModel & { author: UserModel }> {
  const author = message.author ?? (await findUserById(deps, message.authorId));
  if (!author) throw notFound('Author');
  return { ...message, author };
}

/** Publishes a committed change of a message, on the public timeline or in its conversation. */
async function publishChange(
  deps: MessageDeps,
  topic: 'MESSAGE_CREATED' | 'MESSAGE_UPDATED',
  message: MessageModel & { author: UserModel },
  events: StoredEvent[],
) {
  if (message.conversationId === null) await deps.events.publish(topic, toMessageEvent(message));
  else await publishCommitted(deps, events, () => ({ message: toMessageEvent(message) }));
}

/** Thrown inside a transaction to roll it back when there is nothing to write (a retried send, a row gone meanwhile). */
class NothingToWrite extends Error {}

export interface NewMessage {
  content: string;
  conversationId?: string | null;
  clientMessageId?: string | null;
}

/**
 * Creates a message and publishes it. With a clientMessageId that this
 * author used before (also by a concurrent send: the unique index decides),
 * returns the original and publishes nothing.
 */
export async function createMessage(deps: MessageDeps, authorId: string, input: NewMessage): Promise<MessageModel & { author: UserModel }> {
  const { db } = deps;
  const conversationId = input.conversationId ?? null;
  const clientMessageId = input.clientMessageId ?? null;
  const original = () => findOriginal(deps, authorId, clientMessageId!);
  if (clientMessageId !== null) {
    const earlier = await original();
    if (earlier) return earlier;
  }
  const now = new Date();
  // Time-ordered ids (UUIDv7): each new row lands at the end of the primary
  // key's index instead of at a random page of it (S3 +8 %). Ids stay opaque
  // UUIDs; their time is the message's createdAt, which is public anyway.
  const message: MessageModel = { id: newTimeOrderedId(), authorId, content: input.content, conversationId, clientMessageId, createdAt: now, updatedAt: now, edited: false };
  let events: StoredEvent[] = [];
  if (conversationId === null) {
    // Every column is known before the write, so a plain INSERT (no read
    // back) is enough: through the model API Prisma's query compiler cost
    // twice as much CPU as the statement itself. Concurrent sends share one
    // statement and one commit (inserts.ts).
    if (!(await deps.messageInserts.insert(message))) return (await original())!;
    deps.timeline.clear();
  } else {
    try {
      events = await db.$transaction(async (tx) => {
        // The conversation's lock first (P2025: no such conversation), then
        // the check: a removal that committed first is seen, and a refusal
        // rolls the reserved position back.
        const reservation = await reservePositions(tx, conversationId, 1, { activity: true });
        await requireMember(tx as Db, authorId, conversationId);
        message.createdAt = message.updatedAt = reservation.at;
        if (!(await insertMessage(tx as Db, message))) throw new NothingToWrite();
        await countNewMessage(tx, conversationId, authorId);
        return recordEvents(tx, reservation, [{ type: 'MESSAGE_CREATED', messageId: message.id }]);
      }, TRANSACTION_OPTIONS);
    } catch (error) {
      if (error instanceof NothingToWrite) return (await original())!;
      if (isRecordNotFound(error)) throw notFound('Conversation');
      throw error;
    }
  }
  const full = await withAuthor(deps, message);
  await publishChange(deps, 'MESSAGE_CREATED', full, events);
  return full;
}

/** The author's message sent with this key, if they may still read it. */
async function findOriginal(deps: MessageDeps, authorId: string, clientMessageId: string): Promise<(MessageModel & { author: UserModel }) | null> {
  const message = await deps.db.message.findUnique({ where: { authorId_clientMessageId: { authorId, clientMessageId } } });
  if (!message) return null;
  if (!(await mayReadMessage(deps.db, authorId, message))) throw notFound('Conversation');
  return withAuthor(deps, message);
}

/** Only the author may change a message, and only while they may read it: NOT_FOUND, then FORBIDDEN. */
async function requireOwnMessage(deps: MessageDeps, viewerId: string, id: string): Promise<MessageModel> {
  const message = await findReadableMessage(deps, viewerId, id);
  if (!message) throw notFound('Message');
  if (message.authorId !== viewerId) throw forbidden('Only the author may change this message');
  return message;
}

/** Changes the content and publishes the change; the same content is a no-op (no event, `edited` unchanged). */
export async function updateMessage(deps: MessageDeps, viewerId: string, id: string, content: string): Promise<MessageModel & { author: UserModel }> {
  const current = await requireOwnMessage(deps, viewerId, id);
  if (current.content === content) return withAuthor(deps, current);
  const data = { content, edited: true, updatedAt: new Date() };
  const { count, events } = await writeInPlace(deps, current, async (db) => (await db.message.updateMany({ where: { id, authorId: viewerId }, data })).count, 'MESSAGE_UPDATED');
  if (count === 0) throw notFound('Message'); // deleted meanwhile
  const full = await withAuthor(deps, { ...current, ...data });
  await publishChange(deps, 'MESSAGE_UPDATED', full, events);
  return full;
}

/** Deletes the message and publishes the deletion; returns the deleted message. */
export async function deleteMessage(deps: MessageDeps, viewerId: string, id: string): Promise<MessageModel> {
  const message = await requireOwnMessage(deps, viewerId, id);
  const { count, events } = await writeInPlace(deps, message, async (db) => (await db.message.deleteMany({ where: { id, authorId: viewerId } })).count, 'MESSAGE_DELETED');
  if (count === 0) throw notFound('Message'); // deleted meanwhile
  if (message.conversationId === null) await deps.events.publish('MESSAGE_DELETED', { id: message.id, authorId: message.authorId });
  else await publishCommitted(deps, events);
  return message;
}

/**
 * Runs an update or delete of an existing message: on the public timeline
 * as it is (then clears the timeline's cached pages); in a conversation,
 * with its event, in one transaction, rolled back when no row changed.
 */
async function writeInPlace(
  deps: MessageDeps,
  message: MessageModel,
  write: (db: Db) => Promise<number>,
  type: 'MESSAGE_UPDATED' | 'MESSAGE_DELETED',
): Promise<{ count: number; events: StoredEvent[] }> {
  const conversationId = message.conversationId;
  if (conversationId === null) {
    const count = await write(deps.db);
    if (count > 0) deps.timeline.clear();
    return { count, events: [] };
  }
  return deps.db
    .$transaction(async (tx) => {
      const events = await appendEvents(tx, conversationId, [{ type, messageId: message.id }]);
      // Under the lock: the author may have lost access a moment ago.
      if (!(await mayReadMessage(tx as Db, message.authorId, message))) throw new NothingToWrite();
      const count = await write(tx as Db);
      if (count === 0) throw new NothingToWrite();
      if (type === 'MESSAGE_DELETED') await uncountDeletedMessage(tx, { ...message, conversationId });
      return { count, events };
    }, TRANSACTION_OPTIONS)
    .catch((error: unknown) => {
      if (error instanceof NothingToWrite) return { count: 0, events: [] };
      throw error;
    });
}
