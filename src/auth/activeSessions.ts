// The per-instance cache of "is session X active", which makes logout
// effective for access tokens already issued. (sessions.ts holds the login
// sessions themselves and refresh-token rotation.) A JWT alone stays valid
// until it expires (15 min); checking its session on every request would
// cost a query each. Instead each instance caches "is session X active"
// for SESSION_CHECK_TTL (default 30 s) and drops entries the moment a
// SESSIONS_REVOKED event arrives (from any instance, through Redis). So a
// revoked session stops working at once, or within the TTL if the event was
// lost (Redis away), for about one query per session per TTL.
import { LRUCache } from 'lru-cache';
import { atMost } from '../lru.js';
import type { Db } from '../db/client.js';
import type { SessionEvents } from './sessions.js';
import type { AccessClaims } from './tokens.js';
import { activeSessionUser } from './sessions.js';

interface Entry {
  userId: string;
  active: boolean;
}

export class ActiveSessions {
  private readonly cache: LRUCache<string, Entry>;

  constructor(db: Db, ttlSeconds: number) {
    this.cache = new LRUCache<string, Entry>({
      ...atMost(50_000),
      ttl: Math.max(1, ttlSeconds) * 1000,
      // Concurrent requests of one session share one lookup. The user is the
      // session's own, from the database, never the token's claim: a token
      // naming another user with one's own session id is no one.
      fetchMethod: async (sessionId) => (await activeSessionUser({ db }, sessionId)) ?? { userId: '', active: false },
    });
  }

  async isActive(claims: AccessClaims): Promise<boolean> {
    const entry = await this.cache.fetch(claims.sessionId);
    return !!entry?.active && entry.userId === claims.userId;
  }

  /** Applies a revocation event (from this or another instance). */
  revoked({ userId, sessionIds }: SessionEvents['SESSIONS_REVOKED']): void {
    const ids = sessionIds === 'all' ? [...this.cache.entries()].filter(([, e]) => e.userId === userId).map(([id]) => id) : sessionIds;
    for (const id of ids) this.cache.set(id, { userId, active: false });
  }
}
