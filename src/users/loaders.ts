import DataLoader from 'dataloader';
import type { Db } from '../db/client.js';
import { publicUserFields, type UserModel } from './model.js';

/** Batches every user lookup of one request into a single query. */
export function createUserLoader(db: Db): DataLoader<string, UserModel | null> {
  return new DataLoader(async (ids) => {
    const users = await db.user.findMany({ where: { id: { in: [...ids] } }, select: publicUserFields });
    const byId = new Map(users.map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
