// Unread counts, kept in Membership.unreadCount by the write path so that
// reading them costs one row per conversation, however long the conversation
// or however far behind the reader (a count of 100,000 unread messages took
// 26-47 ms of SQLite's single thread per conversation when counted at read).
// Every function runs inside the write's transaction, under the
// conversation's lock (history.ts), so concurrent sends, deletes and
// markRead calls apply in one order.
//
// What is counted: messages by others after the member's read position, or
// after their join while nothing is read. markRead recounts that exactly;
// a send adds one for every other member; a delete takes one from those it
// was counted for.
import type { Tx } from './history.js';

/** A new message: one more unread for every member but its author. */
export async function countNewMessage(tx: Tx, conversationId: string, authorId: string): Promise<void> {
  await tx.membership.updateMany({ where: { conversationId, userId: { not: authorId } }, data: { unreadCount: { increment: 1 } } });
}

/** A deleted message: one less for the members it was counted for (members then, other than the author, not past it). */
export async function uncountDeletedMessage(tx: Tx, message: { id: string; conversationId: string; authorId: string; createdAt: Date }): Promise<void> {
  await tx.membership.updateMany({
    where: {
      conversationId: message.conversationId,
      userId: { not: message.authorId },
      unreadCount: { gt: 0 },
      joinedAt: { lte: message.createdAt },
      OR: [
        { lastReadAt: null },
        { lastReadAt: { lt: message.createdAt } },
        { lastReadAt: message.createdAt, lastReadMessageId: { lt: message.id } },
      ],
    },
    data: { unreadCount: { decrement: 1 } },
  });
}

/**
 * The exact count after the member's (new) read position, from the
 * (conversationId, createdAt, id, authorId) index: its cost follows what is
 * still unread, which is what markRead just made small.
 */
export async function recountUnread(tx: Tx, conversationId: string, userId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Membership" SET "unreadCount" = (
      SELECT COUNT(*) FROM "Message" m
      WHERE m."conversationId" = ${conversationId}
        AND m."authorId" <> ${userId}
        AND m."createdAt" >= COALESCE("Membership"."lastReadAt", "Membership"."joinedAt")
        AND (m."createdAt" > COALESCE("Membership"."lastReadAt", "Membership"."joinedAt") OR m."id" > COALESCE("Membership"."lastReadMessageId", ''))
    )
    WHERE "conversationId" = ${conversationId} AND "userId" = ${userId}`;
}

