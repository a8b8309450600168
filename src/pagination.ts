// Relay pagination over keyset cursors, for every newest-first list: cursor
// encoding, page-size parsing, keyset ordering and connection building.
//
// A cursor names a position (createdAt, id) in the newest-first order, not an
// offset, so inserts and deletes between page fetches cause neither
// duplicates nor skipped older rows.
import { badUserInput } from './errors.js';
import { isUuid } from './ids.js';

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

const PREFIX = 'm1';

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${PREFIX}:${position.createdAt.getTime()}:${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const [prefix, millis, id] = parts;
  if (parts.length !== 3 || prefix !== PREFIX || !/^\d{1,15}$/.test(millis ?? '') || !isUuid(id ?? '') || id !== id!.toLowerCase()) {
    throw badUserInput('Malformed cursor', 'after');
  }
  return { createdAt: new Date(Number(millis)), id: id! };
}

export const MAX_PAGE_SIZE = 100;

/** Validates `first`; null/undefined means the schema default. */
export function parsePageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (size < 0 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return size;
}

/** A validated page request: `first` rows after the (still encoded) cursor. */
export interface PageArgs {
  first: number;
  after: string | null;
}

export function parsePageArgs(args: { first?: number | null; after?: string | null }): PageArgs {
  return { first: parsePageSize(args.first), after: args.after ?? null };
}

/** Newest first; id breaks ties between rows of the same millisecond. */
export const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/** A Prisma `where` for rows strictly older than the position in newestFirst order. */
export function olderThan(position: CursorPosition | null) {
  if (!position) return {};
  return {
    // The redundant upper bound lets the database seek in the (createdAt, id)
    // index instead of scanning from the newest row (deep pages stay cheap).
    createdAt: { lte: position.createdAt },
    OR: [{ createdAt: { lt: position.createdAt } }, { createdAt: position.createdAt, id: { lt: position.id } }],
  };
}

/** One page of a newest-first list; totalCount is counted only if asked for. */
export interface ConnectionModel<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  countTotal: () => Promise<number>;
}

/** Turns `first + 1` fetched rows into a page (the extra row only says "there is more"). */
export function toConnection<T>(rows: T[], page: PageArgs, countTotal: () => Promise<number>): ConnectionModel<T> {
  return {
    nodes: rows.slice(0, page.first),
    hasNextPage: rows.length > page.first,
    // Forward-only pagination: there is something newer exactly when we started after a cursor.
    hasPreviousPage: page.after !== null,
    countTotal,
  };
}

export const emptyConnection = <T>(): ConnectionModel<T> => ({
  nodes: [],
  hasNextPage: false,
  hasPreviousPage: false,
  countTotal: async () => 0,
});

/** The resolvers of any `XConnection` type over a ConnectionModel. */
export const connectionResolvers = {
  edges: <T extends CursorPosition>(page: ConnectionModel<T>) => page.nodes.map((node) => ({ cursor: encodeCursor(node), node })),
  pageInfo: <T extends CursorPosition>(page: ConnectionModel<T>) => ({
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: page.nodes[0] ? encodeCursor(page.nodes[0]) : null,
    endCursor: page.nodes.at(-1) ? encodeCursor(page.nodes.at(-1)!) : null,
  }),
  totalCount: <T>(page: ConnectionModel<T>) => page.countTotal(),
};
