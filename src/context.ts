// What every resolver receives. Built once per HTTP request (or once per
// subscription on a WebSocket): shared clients from `AppServices`, plus the
// viewer and fresh DataLoaders.
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Logger } from './logger.js';
import type { EventBus } from './pubsub/events.js';
import type { Passwords } from './auth/passwords.js';
import type { RateLimits } from './auth/rateLimits.js';
import type { SessionGuard } from './auth/sessionGuard.js';
import { verifyAccessToken, type AccessClaims } from './auth/tokens.js';
import { createUserLoader } from './users/loaders.js';
import { createMessageLoaders } from './messages/loaders.js';

/** Long-lived pieces, created at start and shared by all requests. */
export interface AppServices {
  config: Config;
  db: Db;
  log: Logger;
  events: EventBus;
  passwords: Passwords;
  rateLimits: RateLimits;
  sessions: SessionGuard;
}

/** The caller as the access token describes it. */
export type Auth =
  | { kind: 'anonymous' }
  | { kind: 'invalid'; reason: 'expired' | 'invalid' | 'revoked' }
  | { kind: 'viewer'; claims: AccessClaims };

export interface Context extends AppServices {
  auth: Auth;
  /** Client address, for rate limits. */
  ip: string;
  loaders: ReturnType<typeof createLoaders>;
}

export function createLoaders(db: Db) {
  return { user: createUserLoader(db), ...createMessageLoaders(db) };
}

/** A valid signature is not enough: the token's session must not have ended (logout). */
export async function authFromToken(services: Pick<AppServices, 'config' | 'sessions'>, token: string | null): Promise<Auth> {
  if (token === null) return { kind: 'anonymous' };
  const result = await verifyAccessToken(services.config.jwt, token);
  if (!result.ok) return { kind: 'invalid', reason: result.reason };
  if (!(await services.sessions.isActive(result.claims))) return { kind: 'invalid', reason: 'revoked' };
  return { kind: 'viewer', claims: result.claims };
}

export function createContext(services: AppServices, auth: Auth, ip: string): Context {
  return { ...services, auth, ip, loaders: createLoaders(services.db) };
}
