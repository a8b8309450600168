// Per-request batching for `User.messages` (public timeline messages only): the pages of many users cost one
// query (plus one count if totalCount is selected), however many users a
// response contains.
import DataLoader from 'dataloader';
import type { Db } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import type { MessageModel } from './model.js';
import { decodeCursor, newestFirst, olderThan, type PageArgs } from '../pagination.js';

export interface AuthorPageKey extends PageArgs {
  authorId: string;
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
          const authorIds = group.map((key) => key.authorId);
          const rows = after === null ? await firstPages(db, authorIds, first + 1) : await pagesAfter(db, authorIds, first + 1, after);
          for (const key of group) rowsByKey.set(pageKey(key), rows.get(key.authorId) ?? []);
        }),
      );
      return keys.map((key) => rowsByKey.get(pageKey(key)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );

  const countByAuthor = new DataLoader<string, number>(async (authorIds) => {
    const counts = await db.message.groupBy({
      by: ['authorId'],
      where: { authorId: { in: [...authorIds] }, conversationId: null },
      _count: { _all: true },
    });
    const byAuthor = new Map(counts.map((row) => [row.authorId, row._count._all]));
    return authorIds.map((id) => byAuthor.get(id) ?? 0);
  });

  return { pageRows, countByAuthor };
}

/**
 * The newest `limit` messages of each author in one query: a UNION ALL of one
 * small `ORDER BY ... LIMIT` per author, each served by the
 * (authorId, createdAt, id) index, so the cost follows what is returned, not
 * how much the authors wrote. (Prisma's nested `take` loads every message of
 * the authors and cuts in memory; a ROW_NUMBER() window also reads them all.)
 * Plain SQL that SQLite and PostgreSQL both run.
 */
async function firstPages(db: Db, authorIds: string[], limit: number): Promise<Map<string, MessageModel[]>> {
  // SQLite allows at most 500 terms in one compound SELECT.
  const chunks: string[][] = [];
  for (let i = 0; i < authorIds.length; i += AUTHORS_PER_QUERY) chunks.push(authorIds.slice(i, i + AUTHORS_PER_QUERY));
  const rows = (await Promise.all(chunks.map((chunk) => firstPagesOf(db, chunk, limit)))).flat();
  return groupByAuthor(rows);
}

const AUTHORS_PER_QUERY = 250;

function firstPagesOf(db: Db, authorIds: string[], limit: number): Promise<MessageModel[]> {
  const perAuthor = authorIds.map(
    (authorId, i) => Prisma.sql`SELECT * FROM (
      SELECT "id", "content", "authorId", "conversationId", "clientMessageId", "createdAt", "updatedAt", "edited" FROM "Message"
      WHERE "authorId" = ${authorId} AND "conversationId" IS NULL ORDER BY "createdAt" DESC, "id" DESC LIMIT ${limit}
    ) AS ${Prisma.raw(`"a${i}"`)}`,
  );
  return db.$queryRaw<MessageModel[]>`${Prisma.join(perAuthor, ' UNION ALL ')}`;
}

/** Pages after a cursor: a cursor belongs to one author's list, so this is normally one author. */
async function pagesAfter(db: Db, authorIds: string[], limit: number, after: string): Promise<Map<string, MessageModel[]>> {
  const position = decodeCursor(after);
  const pages = await Promise.all(
    authorIds.map((authorId) =>
      db.message.findMany({ where: { authorId, conversationId: null, ...olderThan(position) }, orderBy: newestFirst, take: limit }),
    ),
  );
  return new Map(authorIds.map((authorId, i) => [authorId, pages[i]!]));
}

/** Rows per author, newest first (SQL promises no order across UNION ALL parts). */
function groupByAuthor(rows: MessageModel[]): Map<string, MessageModel[]> {
  const byAuthor = new Map<string, MessageModel[]>();
  for (const row of rows) {
    const list = byAuthor.get(row.authorId);
    if (list) list.push(row);
    else byAuthor.set(row.authorId, [row]);
  }
  for (const list of byAuthor.values()) {
    list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }
  return byAuthor;
}

function pageKey(key: AuthorPageKey): string {
  return `${key.authorId}|${key.first}|${key.after ?? ''}`;
}
