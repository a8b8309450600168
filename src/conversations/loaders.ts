// Per-request batching for the fields of many conversations at once (a page
// of `conversations`): each field costs one query for the whole page. No
// caching across calls (cache: false): a subscription's context lives as long
// as the subscription, and these values change.
import DataLoader from 'dataloader';
import type { Db } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import type { MessageModel } from '../messages/model.js';
import type { ConversationModel, MembershipModel } from './model.js';

export interface ConversationLoaders {
  conversation: DataLoader<string, ConversationModel | null>;
  lastMessage: DataLoader<string, MessageModel | null>;
  /** The viewer's membership of each conversation (with its unread count, kept by the write path). */
  viewerMembership: DataLoader<string, MembershipModel | null>;
}

const byId = <T>(ids: readonly string[], rows: T[], key: (row: T) => string): Array<T | null> => {
  const map = new Map(rows.map((row) => [key(row), row]));
  return ids.map((id) => map.get(id) ?? null);
};

export function createConversationLoaders(db: Db, viewerId: string | null): ConversationLoaders {
  const options = { cache: false } as const;
  return {
    conversation: new DataLoader(async (ids) => byId(ids, await db.conversation.findMany({ where: { id: { in: [...ids] } } }), (c) => c.id), options),

    lastMessage: new DataLoader(async (ids) => {
      // One index seek per conversation, in one statement.
      const rows = await db.$queryRaw<MessageModel[]>`
        SELECT m."id", m."content", m."authorId", m."conversationId", m."clientMessageId", m."createdAt", m."updatedAt", m."edited"
        FROM "Conversation" c
        JOIN "Message" m ON m."id" = (
          SELECT l."id" FROM "Message" l WHERE l."conversationId" = c."id" ORDER BY l."createdAt" DESC, l."id" DESC LIMIT 1)
        WHERE c."id" IN (${Prisma.join([...ids])})`;
      return byId(ids, rows.map((m) => ({ ...m, edited: Boolean(m.edited) })), (m) => m.conversationId!);
    }, options),

    viewerMembership: new DataLoader(async (ids) => {
      if (viewerId === null) return ids.map(() => null);
      const rows = await db.membership.findMany({ where: { userId: viewerId, conversationId: { in: [...ids] } } });
      return byId(ids, rows, (m) => m.conversationId);
    }, options),
  };
}
