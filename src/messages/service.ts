// Data access and rules for messages. Resolvers call these; nothing here
// knows about GraphQL beyond the error helpers.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { forbidden, notFound } from '../errors.js';
import type { MessageConnectionModel, MessageModel } from './model.js';
import { decodeCursor, type CursorPosition } from './cursor.js';

/** Newest first; id breaks ties between messages of the same millisecond. */
export const newestFirst = [{ createdAt: 'desc' }, { id: 'desc' }] satisfies Prisma.MessageOrderByWithRelationInput[];

/** Messages strictly older than the cursor position in newestFirst order. */
export function olderThan(position: CursorPosition | null): Prisma.MessageWhereInput {
  if (!position) return {};
  return {
    // The redundant upper bound lets the database seek in the (createdAt, id)
    // index instead of scanning from the newest row (deep pages stay cheap).
    createdAt: { lte: position.createdAt },
    OR: [{ createdAt: { lt: position.createdAt } }, { createdAt: position.createdAt, id: { lt: position.id } }],
  };
}

/** Turns `first + 1` fetched rows into a page (the extra row only says "there is more"). */
export function toConnection(
  rows: MessageModel[],
  first: number,
  after: string | null,
  countTotal: () => Promise<number>,
): MessageConnectionModel {
  return {
    nodes: rows.slice(0, first),
    hasNextPage: rows.length > first,
    // Forward-only pagination: there is something newer exactly when we started after a cursor.
    hasPreviousPage: after !== null,
    countTotal,
  };
}

export async function messagesPage(
  db: Db,
  options: { authorId?: string; first: number; after: string | null },
): Promise<MessageConnectionModel> {
  const position = options.after === null ? null : decodeCursor(options.after);
  const byAuthor: Prisma.MessageWhereInput = options.authorId ? { authorId: options.authorId } : {};
  const rows = await db.message.findMany({
    where: { ...byAuthor, ...olderThan(position) },
    orderBy: newestFirst,
    take: options.first + 1,
  });
  return toConnection(rows, options.first, options.after, () => db.message.count({ where: byAuthor }));
}

export const emptyConnection = (): MessageConnectionModel => ({
  nodes: [],
  hasNextPage: false,
  hasPreviousPage: false,
  countTotal: async () => 0,
});

export function findMessage(db: Db, id: string): Promise<MessageModel | null> {
  return db.message.findUnique({ where: { id } });
}

export function createMessage(db: Db, authorId: string, content: string): Promise<MessageModel> {
  // Timestamps are set here (millisecond precision on every provider) so a
  // cursor built from them matches the stored value exactly.
  const now = new Date();
  return db.message.create({
    data: { id: randomUUID(), authorId, content, createdAt: now, updatedAt: now },
  });
}

/** Only the author may change a message: NOT_FOUND, then FORBIDDEN. */
async function requireOwnMessage(db: Db, viewerId: string, id: string): Promise<MessageModel> {
  const message = await findMessage(db, id);
  if (!message) throw notFound('Message');
  if (message.authorId !== viewerId) throw forbidden('Only the author may change this message');
  return message;
}

/** Returns the message and whether the content actually changed. */
export async function updateMessage(
  db: Db,
  viewerId: string,
  id: string,
  content: string,
): Promise<{ message: MessageModel; changed: boolean }> {
  const current = await requireOwnMessage(db, viewerId, id);
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

export async function deleteMessage(db: Db, viewerId: string, id: string): Promise<MessageModel> {
  const message = await requireOwnMessage(db, viewerId, id);
  const { count } = await db.message.deleteMany({ where: { id, authorId: viewerId } });
  if (count === 0) throw notFound('Message'); // deleted meanwhile
  return message;
}

function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2025';
}
