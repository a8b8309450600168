// Login sessions and refresh-token rotation. A session is a family of
// refresh tokens: each exchange marks the presented token used and issues the
// next one. Presenting a used token again means it leaked, so the whole
// family is revoked (reuse detection).
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { unauthenticated } from '../errors.js';
import type { EventBus } from '../pubsub/events.js';
import { publicUserFields, type UserModel } from '../users/model.js';
import { createAccessToken, hashRefreshToken, newRefreshToken, type JwtSettings } from './tokens.js';

export interface SessionSettings extends JwtSettings {
  refreshTtlSeconds: number;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

const invalidRefreshToken = () => unauthenticated('Invalid or expired refresh token');

async function issuePair(jwt: SessionSettings, userId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
  const access = await createAccessToken(jwt, userId, sessionId);
  return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt };
}

export async function startSession(db: Db, jwt: SessionSettings, userId: string): Promise<TokenPair> {
  const sessionId = randomUUID();
  const refreshToken = newRefreshToken();
  const now = new Date();
  await db.session.create({
    data: {
      id: sessionId,
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + jwt.refreshTtlSeconds * 1000),
      tokens: { create: { id: randomUUID(), tokenHash: hashRefreshToken(refreshToken), createdAt: now } },
    },
  });
  return issuePair(jwt, userId, sessionId, refreshToken);
}

/** Exchanges a refresh token for a new pair; the presented token stops working. */
export async function rotateRefreshToken(
  db: Db,
  events: EventBus,
  jwt: SessionSettings,
  refreshToken: string,
): Promise<TokenPair & { user: UserModel }> {
  const stored = await db.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(refreshToken) },
    include: { session: { include: { user: { select: publicUserFields } } } },
  });
  const now = new Date();
  if (!stored || stored.session.revokedAt || stored.session.expiresAt <= now) throw invalidRefreshToken();
  const { session } = stored;

  // Claim the token atomically: of two concurrent exchanges only one wins;
  // the loser is treated as reuse, like any second presentation.
  const claimed = await db.refreshToken.updateMany({ where: { id: stored.id, usedAt: null }, data: { usedAt: now } });
  if (claimed.count === 0) {
    await revokeSessions(db, events, session.userId, [session.id]);
    throw invalidRefreshToken();
  }

  const next = newRefreshToken();
  await db.$transaction([
    db.refreshToken.create({
      data: { id: randomUUID(), tokenHash: hashRefreshToken(next), sessionId: session.id, createdAt: now },
    }),
    db.session.update({
      where: { id: session.id },
      data: { expiresAt: new Date(now.getTime() + jwt.refreshTtlSeconds * 1000) },
    }),
  ]);
  return { ...(await issuePair(jwt, session.userId, session.id, next)), user: session.user };
}

/** The session a refresh token belongs to, if the token is known. */
export async function sessionOfRefreshToken(db: Db, refreshToken: string) {
  const stored = await db.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(refreshToken) },
    select: { session: { select: { id: true, userId: true, revokedAt: true } } },
  });
  return stored?.session ?? null;
}

/** Revokes sessions (all of the user's with 'all') and tells live sockets. */
export async function revokeSessions(
  db: Db,
  events: EventBus,
  userId: string,
  sessionIds: string[] | 'all',
): Promise<number> {
  const { count } = await db.session.updateMany({
    where: { userId, revokedAt: null, ...(sessionIds === 'all' ? {} : { id: { in: sessionIds } }) },
    data: { revokedAt: new Date() },
  });
  await events.publish('SESSIONS_REVOKED', { userId, sessionIds });
  return count;
}

/** True when the session exists and is neither revoked nor expired. */
export async function isSessionActive(db: Db, sessionId: string): Promise<boolean> {
  const session = await db.session.findUnique({ where: { id: sessionId }, select: { revokedAt: true, expiresAt: true } });
  return !!session && !session.revokedAt && session.expiresAt > new Date();
}
