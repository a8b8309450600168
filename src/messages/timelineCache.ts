// The first pages of the public timeline (`messages` without a cursor), of
// each author's list (`messagesByUser`) and of each conversation, kept in
// memory per instance: most reads ask for exactly those, and they only
// change when a message of that list is created, edited or deleted.
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
/** Lists kept (each with the page sizes asked for): every active author and conversation. */
const MAX_LISTS = 5_000;

export class TimelineCache {
  private generation = 0;
  /** Rows (first + 1 of them) by page size, by list. */
  private readonly lists = new LRUCache<string, Map<number, MessageModel[]>>({ max: MAX_LISTS, ttl: MAX_AGE_MS });

  /**
   * The first `first + 1` rows of a list, from memory or from `load`. A list
   * is the public timeline (null), an author's public messages (their id),
   * or a conversation (conversationList(id)).
   */
  async firstRows(list: string | null, first: number, load: () => Promise<MessageModel[]>): Promise<MessageModel[]> {
    const key = list ?? '*';
    const hit = this.lists.get(key)?.get(first);
    if (hit) return hit;
    const generation = this.generation;
    const rows = await load();
    if (generation === this.generation) {
      const pages = this.lists.get(key);
      if (pages) pages.set(first, rows);
      else this.lists.set(key, new Map([[first, rows]]));
    }
    return rows;
  }

  /** A public message was created, edited or deleted (here or on another instance): every public list may change. */
  clear(): void {
    this.generation += 1;
    // lru-cache's clear() walks every slot of its `max`, full or not; most
    // writes find the cache already empty (the previous write cleared it).
    // Conversation lists go too: cheaper than telling them apart here.
    if (this.lists.size > 0) this.lists.clear();
  }

  /** A message of one list (a conversation) changed: only that list goes. */
  clearList(list: string): void {
    this.generation += 1;
    this.lists.delete(list);
  }
}

/** The list key of a conversation's messages. */
export const conversationList = (conversationId: string): string => `conversation:${conversationId}`;
