// Group commit for public messages: the sends that reach the database in the
// same turn of the event loop are written by one multi-row INSERT, so one
// commit (one WAL write on SQLite, one flush on PostgreSQL) serves them all.
// Each send is still answered only after its row has committed, so an
// acknowledged message means what it meant before; a batch that fails is
// retried row by row, so one bad row fails only its own request.
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/client.js';
import type { MessageModel } from './model.js';

/** Rows per statement: 8 parameters each, far below SQLite's and PostgreSQL's limits. */
const MAX_ROWS = 64;

interface Pending {
  message: MessageModel;
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

/** The author's idempotency key, a partial unique index: the conflict target names its WHERE too. */
const onTakenKey = Prisma.sql`ON CONFLICT ("authorId", "clientMessageId") WHERE "clientMessageId" IS NOT NULL DO NOTHING`;

const columns = Prisma.sql`"id", "content", "authorId", "conversationId", "clientMessageId", "createdAt", "updatedAt", "edited"`;
const values = (m: MessageModel) =>
  Prisma.sql`(${m.id}, ${m.content}, ${m.authorId}, ${m.conversationId}, ${m.clientMessageId}, ${m.createdAt}, ${m.updatedAt}, ${false})`;

/**
 * Writes one message row (inside a transaction, or alone). False when nothing
 * was written: (authorId, clientMessageId) exists already. Timestamps at
 * millisecond precision on every provider.
 */
export async function insertMessage(db: Db, m: MessageModel): Promise<boolean> {
  const conflict = m.clientMessageId === null ? Prisma.empty : onTakenKey;
  return (await db.$executeRaw`INSERT INTO "Message" (${columns}) VALUES ${values(m)} ${conflict}`) === 1;
}

export class MessageInserts {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  /** Resolves once the row has committed: true, or false when the author's clientMessageId was taken. */
  insert(message: MessageModel): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ message, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the I/O callbacks of this turn: every request read in it has
      // reached its insert by then (their paths up to here are microtasks).
      setImmediate(() => this.flush());
    });
  }

  private flush() {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (let start = 0; start < pending.length; start += MAX_ROWS) void this.write(pending.slice(start, start + MAX_ROWS));
  }

  private async write(batch: Pending[]) {
    if (batch.length === 1) return this.writeOne(batch[0]!);
    // The ids written, read back when the batch has keys; null: every row was.
    let written: Set<string> | null = null;
    try {
      const rows = Prisma.join(batch.map((p) => values(p.message)));
      if (batch.every((p) => p.message.clientMessageId === null)) {
        // Without keys nothing can conflict (the ids are new; the key's index
        // is partial), so no RETURNING to read back.
        await this.db.$executeRaw`INSERT INTO "Message" (${columns}) VALUES ${rows}`;
      } else {
        const ids = await this.db.$queryRaw<Array<{ id: string }>>`
          INSERT INTO "Message" (${columns}) VALUES ${rows} ${onTakenKey} RETURNING "id"`;
        written = new Set(ids.map((row) => row.id));
      }
    } catch {
      // Nothing of the batch was written: each row on its own, with its own
      // outcome, in the order they came (so of two sends with one
      // clientMessageId the earlier is the one written, as in the batch).
      for (const p of batch) await this.writeOne(p);
      return;
    }
    for (const p of batch) p.resolve(written === null || written.has(p.message.id));
  }

  private async writeOne({ message, resolve, reject }: Pending) {
    try {
      resolve(await insertMessage(this.db, message));
    } catch (error) {
      reject(error);
    }
  }
}
