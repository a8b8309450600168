// Login sessions and refresh-token rotation. A session is a family of
// refresh tokens: each exchange marks the presented token used and issues the
// next one. Presenting a used token again means it leaked, so the whole
// family is revoked (reuse detection) -- except within a short grace period
// (REFRESH_REUSE_GRACE, default 10 s) while its successor is still unused:
// that is two tabs refreshing at once, and both get the same new pair.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { unauthenticated } from '../errors.js';
import type { EventBus } from '../pubsub/events.js';
import { publicUserFields, type UserModel } from '../users/model.js';
import { createAccessToken, hashRefreshToken, newRefreshToken, sealToken, unsealToken, type JwtSettings } from './tokens.js';
import { requireViewer, type Auth } from './viewer.js';

/** The event this module publishes: sessions that must stop working now (logout, refresh-token reuse). */
export interface SessionEvents {
  SESSIONS_REVOKED: { userId: string; sessionIds: string[] | 'all' };
}

export interface SessionSettings extends JwtSettings {
  refreshTtlSeconds: number;
  /** How long a just-rotated refresh token still yields its successor (0: never). */
  refreshGraceSeconds: number;
}

/** What the session functions need. */
export interface SessionDeps {
  db: Db;
  events: EventBus<SessionEvents>;
  config: { jwt: SessionSettings };
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

export async function startSession({ db, config: { jwt } }: Pick<SessionDeps, 'db' | 'config'>, userId: string): Promise<TokenPair> {
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
export async function rotateRefreshToken(deps: SessionDeps, refreshToken: string): Promise<TokenPair & { user: UserModel }> {
  const { db, config: { jwt } } = deps;
  const tokenHash = hashRefreshToken(refreshToken);
  const load = () =>
    db.refreshToken.findUnique({
      where: { tokenHash },
      include: { session: { include: { user: { select: publicUserFields } } } },
    });
  const stored = await load();
  const now = new Date();
  if (!stored || stored.session.revokedAt || stored.session.expiresAt <= now) throw invalidRefreshToken();
  const { session } = stored;

  if (!stored.usedAt) {
    // Claim the token and store its successor in one transaction: of two
    // concurrent exchanges exactly one wins; the other sees a used token.
    const next = newRefreshToken();
    const won = await db.$transaction(async (tx) => {
      const claimed = await tx.refreshToken.updateMany({
        where: { id: stored.id, usedAt: null },
        data: { usedAt: now, successorSecret: sealToken(jwt.secret, next) },
      });
      if (claimed.count === 0) return false;
      await tx.refreshToken.create({
        data: { id: randomUUID(), tokenHash: hashRefreshToken(next), sessionId: session.id, createdAt: now },
      });
      await tx.session.update({
        where: { id: session.id },
        data: { expiresAt: new Date(now.getTime() + jwt.refreshTtlSeconds * 1000) },
      });
      return true;
    });
    if (won) return { ...(await issuePair(jwt, session.userId, session.id, next)), user: session.user };
  }

  // The token was already exchanged (maybe a moment ago by a concurrent call).
  const used = stored.usedAt ? stored : await load();
  const successor = used ? await graceSuccessor(db, jwt, used, now) : null;
  if (successor) return { ...(await issuePair(jwt, session.userId, session.id, successor)), user: session.user };
  await revokeSessions(deps, session.userId, [session.id]);
  throw invalidRefreshToken();
}

/** The successor of a used token, if it was issued within the grace period and is itself unused. */
async function graceSuccessor(
  db: Db,
  jwt: SessionSettings,
  used: { usedAt: Date | null; successorSecret: string | null },
  now: Date,
): Promise<string | null> {
  if (!used.usedAt || !used.successorSecret) return null;
  if (now.getTime() - used.usedAt.getTime() > jwt.refreshGraceSeconds * 1000) return null;
  const successor = unsealToken(jwt.secret, used.successorSecret);
  if (!successor) return null;
  const next = await db.refreshToken.findUnique({ where: { tokenHash: hashRefreshToken(successor) }, select: { usedAt: true } });
  return next && !next.usedAt ? successor : null;
}

/**
 * Ends sessions: all of the viewer's (allSessions), the one of a refresh token
 * (holding it is the proof: no access token needed; false when unknown), or
 * else the current one of the access token.
 */
export async function logout(
  deps: Pick<SessionDeps, 'db' | 'events'>,
  auth: Auth,
  args: { refreshToken?: string | null; allSessions?: boolean | null },
): Promise<boolean> {
  if (args.allSessions) {
    await revokeSessions(deps, requireViewer({ auth }).userId, 'all');
    return true;
  }
  if (args.refreshToken) {
    const session = await sessionOfRefreshToken(deps.db, args.refreshToken);
    if (!session) return false;
    if (!session.revokedAt) await revokeSessions(deps, session.userId, [session.id]);
    return true;
  }
  if (auth.kind !== 'viewer') throw unauthenticated('Pass a refresh token or an access token to log out');
  await revokeSessions(deps, auth.claims.userId, [auth.claims.sessionId]);
  return true;
}

/** The session a refresh token belongs to, if the token is known. */
async function sessionOfRefreshToken(db: Db, refreshToken: string) {
  const stored = await db.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(refreshToken) },
    select: { session: { select: { id: true, userId: true, revokedAt: true } } },
  });
  return stored?.session ?? null;
}

/** Revokes sessions (all of the user's with 'all') and tells live sockets. */
export async function revokeSessions(
  { db, events }: Pick<SessionDeps, 'db' | 'events'>,
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

/** The session's user and whether it is active (neither revoked nor expired); null for an unknown session. */
export async function activeSessionUser({ db }: Pick<SessionDeps, 'db'>, sessionId: string): Promise<{ userId: string; active: boolean } | null> {
  const session = await db.session.findUnique({ where: { id: sessionId }, select: { userId: true, revokedAt: true, expiresAt: true } });
  if (!session) return null;
  return { userId: session.userId, active: !session.revokedAt && session.expiresAt > new Date() };
}
