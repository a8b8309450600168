// Accounts: registration, login, lookups.
import { randomUUID } from 'node:crypto';
import type { AppServices } from '../context.js';
import type { Db } from '../db/client.js';
import { unauthenticated, usernameTaken } from '../errors.js';
import { startSession, type TokenPair } from '../auth/sessions.js';
import { publicUserFields, type UserModel } from './model.js';
import { checkNewPassword, normalizeUsername, parseNewUsername } from './validation.js';

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

/** Same answer, in about the same time, for an unknown user and a wrong password. */
export async function login(
  services: Pick<AppServices, 'db' | 'config' | 'passwords'>,
  input: { username: string; password: string },
): Promise<AuthResult> {
  const { db } = services;
  const found = await db.user.findUnique({
    where: { usernameKey: normalizeUsername(input.username).key },
    select: { ...publicUserFields, passwordHash: true },
  });
  const ok = await services.passwords.verifyOrWaste(input.password, found?.passwordHash ?? null);
  if (!found || !ok) throw unauthenticated('Invalid username or password');
  const { passwordHash: _hash, ...user } = found;
  return { ...(await startSession(db, services.config.jwt, user.id)), user };
}

export function findUserByUsername(db: Db, username: string): Promise<UserModel | null> {
  return db.user.findUnique({ where: { usernameKey: normalizeUsername(username).key }, select: publicUserFields });
}
