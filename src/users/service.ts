// Accounts: registration, login, lookups.
import { randomUUID } from 'node:crypto';
import type { AppServices } from '../context.js';
import type { Db } from '../db/client.js';
import { unauthenticated, usernameTaken } from '../errors.js';
import { startSession, type TokenPair } from '../auth/sessions.js';
import { publicUserFields, type UserModel } from './model.js';
import { checkNewPassword, parseNewUsername, usernameKeyOrNull } from './validation.js';

type AuthResult = TokenPair & { user: UserModel };

export async function register(
  services: Pick<AppServices, 'db' | 'config' | 'passwords'>,
  input: { username: string; password: string },
): Promise<AuthResult> {
  const { username, key } = parseNewUsername(input.username);
  checkNewPassword(input.password);
  const { db } = services;
  // Cheap pre-check so a taken name does not cost a bcrypt hash; the unique
  // index still decides under concurrency (P2002 below).
  if (await db.user.findUnique({ where: { usernameKey: key }, select: { id: true } })) throw usernameTaken();
  const passwordHash = await services.passwords.hash(input.password);
  let user: UserModel;
  try {
    user = await db.user.create({
      data: { id: randomUUID(), username, usernameKey: key, passwordHash, createdAt: new Date() },
      select: publicUserFields,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'P2002') throw usernameTaken();
    throw error;
  }
  return { ...(await startSession(db, services.config.jwt, user.id)), user };
}

/** The one answer to every failed login, whatever was wrong. */
export const INVALID_CREDENTIALS = 'Invalid username or password';

/**
 * Same answer, in about the same time, for an unknown user and a wrong password.
 * `usernameKey` is already normalised (usernameKeyOrNull): the caller counted
 * the attempt under it.
 */
export async function login(
  services: Pick<AppServices, 'db' | 'config' | 'passwords'>,
  input: { usernameKey: string; password: string },
): Promise<AuthResult> {
  const { db } = services;
  const found = await db.user.findUnique({
    where: { usernameKey: input.usernameKey },
    select: { ...publicUserFields, passwordHash: true },
  });
  const ok = await services.passwords.verifyOrWaste(input.password, found?.passwordHash ?? null);
  if (!found || !ok) throw unauthenticated(INVALID_CREDENTIALS);
  const { passwordHash: _hash, ...user } = found;
  return { ...(await startSession(db, services.config.jwt, user.id)), user };
}

/** null for a name no account can have, without normalising over-long input. */
export async function findUserByUsername(db: Db, username: string): Promise<UserModel | null> {
  const key = usernameKeyOrNull(username);
  if (key === null) return null;
  return db.user.findUnique({ where: { usernameKey: key }, select: publicUserFields });
}
