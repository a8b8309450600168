// Data access and rules for messages. Resolvers call these; nothing here
// knows about GraphQL beyond the error helpers.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { isRecordNotFound } from '../db/errors.js';
import { Prisma, type Message } from '../generated/prisma/client.js';
import type { UserModel } from '../users/model.js';
import { forbidden, notFound } from '../errors.js';
import { decodeCursor, newestFirst, olderThan, toConnection, type PageArgs } from '../pagination.js';
import type { MessageConnectionModel, MessageModel } from './model.js';
import type { TimelineCache } from './timelineCache.js';

/** What the message functions need: the database, and the timeline's first pages. */
export interface MessageDeps {
  db: Db;
  timeline: TimelineCache;
}

/**
 * A page of one author's messages (newest first). The author is known, so
 * every row carries it and no author lookup follows.
 */
export async function authorPage({ db, timeline }: MessageDeps, page: PageArgs, author: UserModel): Promise<MessageConnectionModel> {
  const load = async () => {
    const position = page.after === null ? null : decodeCursor(page.after);
    const rows = await db.message.findMany({
      where: { authorId: author.id, ...olderThan(position) },
      orderBy: newestFirst,
      take: page.first + 1,
    });
    return rows.map((row) => ({ ...row, author }));
  };
  const rows = page.after === null ? await timeline.firstRows(author.id, page.first, load) : await load();
  return toConnection(rows, page, () => db.message.count({ where: { authorId: author.id } }));
}

/** A row of timelinePage's JOIN: the message and its author's public fields. */
interface TimelineRow extends Message {
  authorUsername: string;
  authorCreatedAt: Date;
}

/**
 * A page of every message, newest first, with each author in the same query
 * (one JOIN instead of a page query plus an author batch). Plain SQL that
 * SQLite and PostgreSQL both run; the cursor bound is the keyset of
 * olderThan(), spelled in SQL.
 */
export async function timelinePage({ db, timeline }: MessageDeps, page: PageArgs): Promise<MessageConnectionModel> {
  const load = () => timelineRows(db, page);
  const rows = page.after === null ? await timeline.firstRows(null, page.first, load) : await load();
  return toConnection(rows, page, () => db.message.count());
}

async function timelineRows(db: Db, page: PageArgs): Promise<MessageModel[]> {
  const position = page.after === null ? null : decodeCursor(page.after);
  const olderThanCursor = position
    ? Prisma.sql`WHERE m."createdAt" <= ${position.createdAt} AND (m."createdAt" < ${position.createdAt} OR (m."createdAt" = ${position.createdAt} AND m."id" < ${position.id}))`
    : Prisma.empty;
  const rows = await db.$queryRaw<TimelineRow[]>`
    SELECT m."id", m."content", m."authorId", m."createdAt", m."updatedAt", m."edited",
           u."username" AS "authorUsername", u."createdAt" AS "authorCreatedAt"
    FROM "Message" m JOIN "User" u ON u."id" = m."authorId"
    ${olderThanCursor}
    ORDER BY m."createdAt" DESC, m."id" DESC
    LIMIT ${page.first + 1}`;
  return rows.map(({ authorUsername, authorCreatedAt, ...message }) => ({
    ...message,
    edited: Boolean(message.edited),
    author: { id: message.authorId, username: authorUsername, createdAt: authorCreatedAt },
  }));
}

export function findMessage({ db }: MessageDeps, id: string): Promise<MessageModel | null> {
  return db.message.findUnique({ where: { id } });
}

export async function createMessage({ db, timeline }: MessageDeps, authorId: string, content: string): Promise<MessageModel> {
  // Timestamps are set here (millisecond precision on every provider) so a
  // cursor built from them matches the stored value exactly. Every column is
  // known before the write, so a plain INSERT (no RETURNING, no read back)
  // is enough; through the model API Prisma's query compiler cost twice as
  // much CPU as the statement itself.
  const now = new Date();
  const message: MessageModel = { id: randomUUID(), authorId, content, createdAt: now, updatedAt: now, edited: false };
  await db.$executeRaw`
    INSERT INTO "Message" ("id", "content", "authorId", "createdAt", "updatedAt", "edited")
    VALUES (${message.id}, ${content}, ${authorId}, ${now}, ${now}, ${false})`;
  timeline.clear();
  return message;
}

/** Only the author may change a message: NOT_FOUND, then FORBIDDEN. */
async function requireOwnMessage(deps: MessageDeps, viewerId: string, id: string): Promise<MessageModel> {
  const message = await findMessage(deps, id);
  if (!message) throw notFound('Message');
  if (message.authorId !== viewerId) throw forbidden('Only the author may change this message');
  return message;
}

/** Returns the message and whether the content actually changed. */
export async function updateMessage(
  deps: MessageDeps,
  viewerId: string,
  id: string,
  content: string,
): Promise<{ message: MessageModel; changed: boolean }> {
  const { db } = deps;
  const current = await requireOwnMessage(deps, viewerId, id);
  if (current.content === content) return { message: current, changed: false };
  try {
    const message = await db.message.update({
      where: { id, authorId: viewerId },
      data: { content, edited: true, updatedAt: new Date() },
    });
    deps.timeline.clear();
    return { message, changed: true };
  } catch (error) {
    if (isRecordNotFound(error)) throw notFound('Message'); // deleted meanwhile
    throw error;
  }
}

export async function deleteMessage(deps: MessageDeps, viewerId: string, id: string): Promise<MessageModel> {
  const message = await requireOwnMessage(deps, viewerId, id);
  const { count } = await deps.db.message.deleteMany({ where: { id, authorId: viewerId } });
  if (count === 0) throw notFound('Message'); // deleted meanwhile
  deps.timeline.clear();
  return message;
}
