// The durable history of each conversation: positions, events, pruning.
//
// Why positions cannot be skipped: a position is the conversation's
// `eventSeq` counter, incremented by an UPDATE of the conversation's row
// inside the transaction that writes the change and its event. That UPDATE
// holds the row's lock until the transaction ends (PostgreSQL; SQLite has a
// single writer), so the transaction holding position n+1 cannot even take
// it before the one holding n has committed or rolled back (a rollback
// releases n again: the counter rolls back with it). Hence, in every
// conversation, whenever position n is visible to a reader, so is every
// position below it: a reader that resumes "after n" misses nothing. A
// position is (conversation, seq): the stream's cursor carries one per
// conversation (cursor.ts).
import type { Db } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { DurableEventType } from './model.js';

export type Tx = Prisma.TransactionClient;

/** Interactive transactions queue (SQLite has one writer): wait longer than Prisma's 2 s default. */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 10_000 } as const;

export interface StoredEvent {
  conversationId: string;
  seq: number;
  type: DurableEventType;
  at: Date;
  messageId: string | null;
  userId: string | null;
}

export interface NewEvent {
  type: DurableEventType;
  messageId?: string;
  userId?: string;
}

export interface Reservation {
  conversationId: string;
  /** The first reserved position. */
  firstSeq: number;
  /** The time of the change, taken under the lock: increasing with the position. */
  at: Date;
}

/**
 * Takes the conversation's row lock and reserves `count` positions. Also
 * moves lastActivityAt (messages, membership) and memberCount when asked.
 * Throws P2025 when the conversation does not exist.
 */
export async function reservePositions(
  tx: Tx,
  conversationId: string,
  count: number,
  change: { activity?: boolean; memberDelta?: number } = {},
): Promise<Reservation> {
  const at = new Date();
  const row = await tx.conversation.update({
    where: { id: conversationId },
    data: {
      eventSeq: { increment: count },
      ...(change.activity ? { lastActivityAt: at } : {}),
      ...(change.memberDelta ? { memberCount: { increment: change.memberDelta } } : {}),
    },
    select: { eventSeq: true },
  });
  return { conversationId, firstSeq: row.eventSeq - count + 1, at };
}

/** Writes events at the reserved positions, in order. */
export async function recordEvents(tx: Tx, reservation: Reservation, events: NewEvent[]): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = events.map((event, i) => ({
    conversationId: reservation.conversationId,
    seq: reservation.firstSeq + i,
    type: event.type,
    at: reservation.at,
    messageId: event.messageId ?? null,
    userId: event.userId ?? null,
  }));
  if (stored.length > 0) await tx.conversationEvent.createMany({ data: stored });
  return stored;
}

/** Reserve and record in one step, for changes whose rows do not depend on the time. */
export async function appendEvents(
  tx: Tx,
  conversationId: string,
  events: NewEvent[],
  change: { activity?: boolean; memberDelta?: number } = {},
): Promise<StoredEvent[]> {
  return recordEvents(tx, await reservePositions(tx, conversationId, events.length, change), events);
}

/** Up to `limit` events of a conversation after position `afterSeq`, in order. */
export async function eventsAfter(db: Db, conversationId: string, afterSeq: number, limit: number, untilSeq?: number): Promise<StoredEvent[]> {
  const rows = await db.conversationEvent.findMany({
    where: { conversationId, seq: { gt: afterSeq, ...(untilSeq !== undefined ? { lte: untilSeq } : {}) } },
    orderBy: { seq: 'asc' },
    take: limit,
  });
  return rows as StoredEvent[];
}

/** Deletes the history older than `before` (EVENT_RETENTION); returns how many events went. */
export async function pruneEvents(db: Db, before: Date): Promise<number> {
  const { count } = await db.conversationEvent.deleteMany({ where: { at: { lt: before } } });
  return count;
}
