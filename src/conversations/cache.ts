// What `conversation(id)` reads on every request, kept per instance: the
// conversation with the viewer's membership (the read rule's input), and,
// in the shared TimelineCache, the conversation's first pages of messages.
//
// Freshness, as for the public timeline: this instance's write paths call
// changed() after their commit, so a read sent after a write's response sees
// it here; every instance calls changed() when the change's event arrives
// (feed.ts, through Redis across instances). Entries also expire after
// ACCESS_TTL_MS, so a removal reaches every instance within a second even if
// its event is lost. Writes never trust this cache: they check membership
// in their transaction, under the conversation's lock.
import { LRUCache } from 'lru-cache';
import { atMost } from '../lru.js';
import type { Access } from './access.js';
import { conversationList, type TimelineCache } from '../messages/timelineCache.js';

const ACCESS_TTL_MS = 1000;
const MAX_CONVERSATIONS = 10_000;

export class ConversationCache {
  /** Access by conversation, then by viewer. */
  private readonly access = new LRUCache<string, Map<string, Access>>({ ...atMost(MAX_CONVERSATIONS), ttl: ACCESS_TTL_MS });
  private generation = 0;

  constructor(private readonly timeline: TimelineCache) {}

  /** The viewer's access, from memory or from `load` (a missing conversation is not remembered). */
  async accessOf(conversationId: string, viewerId: string, load: () => Promise<Access | null>): Promise<Access | null> {
    const hit = this.access.get(conversationId)?.get(viewerId);
    if (hit) return hit;
    const generation = this.generation;
    const loaded = await load();
    if (loaded && generation === this.generation) {
      const viewers = this.access.get(conversationId);
      if (viewers) viewers.set(viewerId, loaded);
      else this.access.set(conversationId, new Map([[viewerId, loaded]]));
    }
    return loaded;
  }

  /** Something in the conversation changed (messages, members, name): forget what was kept of it. */
  changed(conversationId: string): void {
    this.generation += 1;
    this.access.delete(conversationId);
    this.timeline.clearList(conversationList(conversationId));
  }
}
