// The first pages of the public timeline (`messages` without a cursor), kept
// in memory per instance: most reads ask for exactly that, and it only
// changes when a message is created, edited or deleted.
//
// Freshness: this instance's write path clears it before answering, so a
// read sent after a write's response sees that write here; every instance
// clears it when the write's event arrives (through Redis across instances).
// A read that started before a clear never stores its (possibly older)
// rows: each clear starts a new generation. If an event is lost (Redis
// away), entries still expire after MAX_AGE_MS.
import type { MessageModel } from './model.js';

const MAX_AGE_MS = 5_000;

export class TimelineCache {
  private generation = 0;
  /** Rows (first + 1 of them) by page size. Sizes are 0-100, so at most 101 entries. */
  private readonly pages = new Map<number, { rows: MessageModel[]; storedAt: number }>();

  /** The first `first + 1` rows of the timeline, from memory or from `load`. */
  async firstRows(first: number, load: () => Promise<MessageModel[]>): Promise<MessageModel[]> {
    const hit = this.pages.get(first);
    if (hit && Date.now() - hit.storedAt < MAX_AGE_MS) return hit.rows;
    const generation = this.generation;
    const rows = await load();
    if (generation === this.generation) this.pages.set(first, { rows, storedAt: Date.now() });
    return rows;
  }

  /** A message was created, edited or deleted (here or on another instance). */
  clear(): void {
    this.generation += 1;
    this.pages.clear();
  }
}
