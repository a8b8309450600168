// Per-request batching for `User.messages`: the pages of many users cost one
// query (plus one count if totalCount is selected), however many users a
// response contains.
import DataLoader from 'dataloader';
import type { Db } from '../db/client.js';
import { decodeCursor } from './cursor.js';
import type { MessageModel } from './model.js';
import { newestFirst, olderThan } from './service.js';

export interface AuthorPageKey {
  authorId: string;
  first: number;
  after: string | null;
}

export interface MessageLoaders {
  /** `first + 1` newest messages of an author after a cursor. */
  pageRows: DataLoader<AuthorPageKey, MessageModel[], string>;
  countByAuthor: DataLoader<string, number>;
}

export function createMessageLoaders(db: Db): MessageLoaders {
  const pageRows = new DataLoader<AuthorPageKey, MessageModel[], string>(
    async (keys) => {
      // Keys sharing (first, after) are answered by one nested query; a
      // response normally has a single such group.
      const groups = new Map<string, AuthorPageKey[]>();
      for (const key of keys) {
        const group = `${key.first}|${key.after ?? ''}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const rowsByKey = new Map<string, MessageModel[]>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { first, after } = group[0]!;
          const position = after === null ? null : decodeCursor(after);
          const users = await db.user.findMany({
            where: { id: { in: group.map((key) => key.authorId) } },
            select: {
              id: true,
              messages: { where: olderThan(position), orderBy: newestFirst, take: first + 1 },
            },
          });
          const byAuthor = new Map(users.map((user) => [user.id, user.messages]));
          for (const key of group) rowsByKey.set(pageKey(key), byAuthor.get(key.authorId) ?? []);
        }),
      );
      return keys.map((key) => rowsByKey.get(pageKey(key)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );

  const countByAuthor = new DataLoader<string, number>(async (authorIds) => {
    const counts = await db.message.groupBy({
      by: ['authorId'],
      where: { authorId: { in: [...authorIds] } },
      _count: { _all: true },
    });
    const byAuthor = new Map(counts.map((row) => [row.authorId, row._count._all]));
    return authorIds.map((id) => byAuthor.get(id) ?? 0);
  });

  return { pageRows, countByAuthor };
}

function pageKey(key: AuthorPageKey): string {
  return `${key.authorId}|${key.first}|${key.after ?? ''}`;
}
