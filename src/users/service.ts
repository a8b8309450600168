// Accounts as data: creating users, looking them up. The sign-in flow that
// uses these lives in auth/accounts.ts.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { usernameTaken } from '../errors.js';
import type { UserCache } from './cache.js';
import { publicUserFields, type UserModel } from './model.js';
import { usernameKeyOrNull } from './validation.js';

/** What the user functions need: the database (and, for lookups, the shared cache). */
export interface UserDeps {
  db: Db;
}
export interface UserLookupDeps extends UserDeps {
  userCache: UserCache;
}

export async function usernameExists({ db }: UserDeps, usernameKey: string): Promise<boolean> {
  return (await db.user.findUnique({ where: { usernameKey }, select: { id: true } })) !== null;
}

/** USERNAME_TAKEN when the key exists: the unique index decides under concurrency. */
export async function createUser(
  { db }: UserDeps,
  user: { username: string; usernameKey: string; passwordHash: string },
): Promise<UserModel> {
  try {
    return await db.user.create({ data: { id: randomUUID(), ...user, createdAt: new Date() }, select: publicUserFields });
  } catch (error) {
    if (isUniqueViolation(error)) throw usernameTaken();
    throw error;
  }
}

/** A user with the password hash, for checking a login; never leaves auth/. */
export function findCredentials({ db }: UserDeps, usernameKey: string): Promise<(UserModel & { passwordHash: string }) | null> {
  return db.user.findUnique({ where: { usernameKey }, select: { ...publicUserFields, passwordHash: true } });
}

/** null for a name no account can have, without normalising over-long input. */
export async function findUserByUsername({ db, userCache }: UserLookupDeps, username: string): Promise<UserModel | null> {
  const key = usernameKeyOrNull(username);
  if (key === null) return null;
  const cached = userCache.getByKey(key);
  if (cached) return cached;
  const user = await db.user.findUnique({ where: { usernameKey: key }, select: publicUserFields });
  if (user) userCache.remember(user);
  return user;
}

/** A user by id, from the shared cache when it has them. */
export async function findUserById({ db, userCache }: UserLookupDeps, id: string): Promise<UserModel | null> {
  const cached = userCache.get(id);
  if (cached) return cached;
  const user = await db.user.findUnique({ where: { id }, select: publicUserFields });
  if (user) userCache.remember(user);
  return user;
}
