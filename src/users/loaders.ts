import DataLoader from 'dataloader';
import type { Db } from '../db/client.js';
import type { UserCache } from './cache.js';
import { publicUserFields, type UserModel } from './model.js';

/** Batches every user lookup of one request into at most one query, for the users not cached yet. */
export function createUserLoader(db: Db, cache: UserCache): DataLoader<string, UserModel | null> {
  return new DataLoader(async (ids) => {
    const missing = ids.filter((id) => cache.get(id) === undefined);
    if (missing.length > 0) {
      const users = await db.user.findMany({ where: { id: { in: missing } }, select: publicUserFields });
      for (const user of users) cache.remember(user);
    }
    return ids.map((id) => cache.get(id) ?? null);
  });
}
