// Public user fields, shared by every request of this instance, by id and by
// username key. Safe without invalidation because they never change: the
// API has no operation that renames or deletes a user (ids are new UUIDs at
// registration), and a lookup that finds nobody is not remembered (the name
// may be registered a moment later). The TTL only bounds staleness should an
// operator delete a user in the database. Page authors, `me` and
// messagesByUser's user then cost no query once seen.
import { LRUCache } from 'lru-cache';
import { atMost } from '../lru.js';
import type { UserModel } from './model.js';

const MAX_USERS = 50_000;
const TTL_MS = 10 * 60_000;

export class UserCache {
  private readonly byId = new LRUCache<string, UserModel>({ ...atMost(MAX_USERS), ttl: TTL_MS });
  private readonly idByKey = new LRUCache<string, string>({ ...atMost(MAX_USERS), ttl: TTL_MS });

  get(id: string): UserModel | undefined {
    return this.byId.get(id);
  }

  /** By the lower-case NFKC key (usernameKeyOrNull). */
  getByKey(usernameKey: string): UserModel | undefined {
    const id = this.idByKey.get(usernameKey);
    return id === undefined ? undefined : this.byId.get(id);
  }

  remember(user: UserModel): void {
    this.byId.set(user.id, user);
    // Stored usernames are NFKC already: their key is the lower-case form.
    this.idByKey.set(user.username.toLowerCase(), user.id);
  }
}
