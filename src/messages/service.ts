// Data access and rules for messages. Resolvers call these; nothing here
// knows about GraphQL beyond the error helpers.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { isRecordNotFound } from '../db/errors.js';
import type { Prisma } from '../generated/prisma/client.js';
import { forbidden, notFound } from '../errors.js';
import { decodeCursor, newestFirst, olderThan, toConnection, type PageArgs } from '../pagination.js';
import type { MessageConnectionModel, MessageModel } from './model.js';

/** What the message functions need: the database. */
export interface MessageDeps {
  db: Db;
}

/** A page of every message, or of one author's (newest first). */
export async function messagesPage({ db }: MessageDeps, page: PageArgs & { authorId?: string }): Promise<MessageConnectionModel> {
  const position = page.after === null ? null : decodeCursor(page.after);
  const byAuthor: Prisma.MessageWhereInput = page.authorId ? { authorId: page.authorId } : {};
  const rows = await db.message.findMany({
    where: { ...byAuthor, ...olderThan(position) },
    orderBy: newestFirst,
    take: page.first + 1,
  });
  return toConnection(rows, page, () => db.message.count({ where: byAuthor }));
}

export function findMessage({ db }: MessageDeps, id: string): Promise<MessageModel | null> {
  return db.message.findUnique({ where: { id } });
}

export function createMessage({ db }: MessageDeps, authorId: string, content: string): Promise<MessageModel> {
  // Timestamps are set here (millisecond precision on every provider) so a
  // cursor built from them matches the stored value exactly.
  const now = new Date();
  return db.message.create({
    data: { id: randomUUID(), authorId, content, createdAt: now, updatedAt: now },
  });
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
  return message;
}
