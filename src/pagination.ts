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

/**
 * Which list a cursor belongs to: a message cursor is refused by the list of
 * conversations and the other way round (BAD_USER_INPUT, as for any malformed cursor).
 */
export type CursorKind = 'm1' | 'c1' | 'p1';

export function encodeCursor(position: CursorPosition, kind: CursorKind = 'm1'): string {
  return Buffer.from(`${kind}:${position.createdAt.getTime()}:${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, kind: CursorKind = 'm1'): CursorPosition {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const [prefix, millis, id] = parts;
  if (parts.length !== 3 || prefix !== kind || !/^\d{1,15}$/.test(millis ?? '') || !isUuid(id ?? '') || id !== id!.toLowerCase()) {
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
  /** The cursor of a node (messages: encodeCursor of its createdAt and id). */
  cursorOf: (node: T) => string;
}

const messageCursor = (node: unknown) => encodeCursor(node as CursorPosition);

/** Turns `first + 1` fetched rows into a page (the extra row only says "there is more"). */
export function toConnection<T>(
  rows: T[],
  page: PageArgs,
  countTotal: () => Promise<number>,
  cursorOf: (node: T) => string = messageCursor,
): ConnectionModel<T> {
  return {
    nodes: rows.slice(0, page.first),
    hasNextPage: rows.length > page.first,
    // Forward-only pagination: there is something newer exactly when we started after a cursor.
    hasPreviousPage: page.after !== null,
    countTotal,
    cursorOf,
  };
}

export const emptyConnection = <T>(): ConnectionModel<T> => ({
  nodes: [],
  hasNextPage: false,
  hasPreviousPage: false,
  countTotal: async () => 0,
  cursorOf: messageCursor,
});

/** The resolvers of any `XConnection` type over a ConnectionModel. */
export const connectionResolvers = {
  edges: <T>(page: ConnectionModel<T>) => page.nodes.map((node) => ({ cursor: page.cursorOf(node), node })),
  pageInfo: <T>(page: ConnectionModel<T>) => ({
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: page.nodes[0] ? page.cursorOf(page.nodes[0]) : null,
    endCursor: page.nodes.at(-1) ? page.cursorOf(page.nodes.at(-1)!) : null,
  }),
  totalCount: <T>(page: ConnectionModel<T>) => page.countTotal(),
};
