// The first pages of the public timeline (`messages` without a cursor) and
// of each author's list (`messagesByUser`), kept in memory per instance:
// most reads ask for exactly those, and they only change when a message is
// created, edited or deleted.
//
// Freshness: this instance's write path clears it before answering, so a
// read sent after a write's response sees that write here; every instance
// clears it when the write's event arrives (through Redis across instances).
// A read that started before a clear never stores its (possibly older)
// rows: each clear starts a new generation. If an event is lost (Redis
// away), entries still expire after MAX_AGE_MS.
import { LRUCache } from 'lru-cache';
import type { MessageModel } from './model.js';

const MAX_AGE_MS = 5_000;
/** Page sizes are 0-100; a few thousand (list, size) pairs cover every active author. */
const MAX_PAGES = 5_000;

export class TimelineCache {
  private generation = 0;
  /** Rows (first + 1 of them) by list (the timeline or one author) and page size. */
  private readonly pages = new LRUCache<string, MessageModel[]>({ max: MAX_PAGES, ttl: MAX_AGE_MS });

  /** The first `first + 1` rows of a list (authorId null: the timeline), from memory or from `load`. */
  async firstRows(authorId: string | null, first: number, load: () => Promise<MessageModel[]>): Promise<MessageModel[]> {
    const key = `${authorId ?? '*'}|${first}`;
    const hit = this.pages.get(key);
    if (hit) return hit;
    const generation = this.generation;
    const rows = await load();
    if (generation === this.generation) this.pages.set(key, rows);
    return rows;
  }

  /** A message was created, edited or deleted (here or on another instance). */
  clear(): void {
    this.generation += 1;
    // lru-cache's clear() walks every slot of its `max`, full or not; most
    // writes find the cache already empty (the previous write cleared it).
    if (this.pages.size > 0) this.pages.clear();
  }
}
