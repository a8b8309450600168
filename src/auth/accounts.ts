// The sign-in flow: register, login and refresh, with their brute-force
// limits, each ending in a (new or rotated) session. Resolvers call these and nothing else.
import { setTimeout as sleep } from 'node:timers/promises';
import { unauthenticated, usernameTaken } from '../errors.js';
import type { UserModel } from '../users/model.js';
import { createUser, findCredentials, usernameExists } from '../users/service.js';
import { checkNewPassword, parseNewUsername, usernameKeyOrNull } from '../users/validation.js';
import type { Passwords } from './passwords.js';
import type { RateLimits } from './rateLimits.js';
import { rotateRefreshToken, startSession, type SessionDeps, type TokenPair } from './sessions.js';

/** What registering and logging in need. */
export interface AccountDeps extends SessionDeps {
  passwords: Pick<Passwords, 'hash' | 'verifyOrWaste'>;
  rateLimits: RateLimits;
}

export type AuthResult = TokenPair & { user: UserModel };

/** The one answer to every failed login, whatever was wrong. */
export const INVALID_CREDENTIALS = 'Invalid username or password';

export async function register(deps: AccountDeps, input: { username: string; password: string }, ip: string): Promise<AuthResult> {
  await deps.rateLimits.consume('registerPerIp', ip);
  const { username, key } = parseNewUsername(input.username);
  checkNewPassword(input.password);
  // Cheap pre-check so a taken name does not cost a bcrypt hash; the unique
  // index still decides under concurrency (createUser).
  if (await usernameExists(deps, key)) throw usernameTaken();
  const passwordHash = await deps.passwords.hash(input.password);
  const user = await createUser(deps, { username, usernameKey: key, passwordHash });
  return { ...(await startSession(deps, user.id)), user };
}

/** Same answer, in about the same time, for an unknown user and a wrong password. */
export async function login(deps: AccountDeps, input: { username: string; password: string }, ip: string): Promise<AuthResult> {
  // Shape first, before any normalising or keying: a name that no account
  // can have (e.g. 100 kB that NFKC would expand 18-fold) is only counted
  // per address, then answered like a wrong password.
  const usernameKey = usernameKeyOrNull(input.username);
  await deps.rateLimits.consume('loginPerIp', ip);
  if (usernameKey === null) throw unauthenticated(INVALID_CREDENTIALS);
  const { delayMs } = await deps.rateLimits.countLogin(usernameKey, ip);
  if (delayMs > 0) await sleep(delayMs);

  const found = await findCredentials(deps, usernameKey);
  const ok = await deps.passwords.verifyOrWaste(input.password, found?.passwordHash ?? null);
  if (!found || !ok) throw unauthenticated(INVALID_CREDENTIALS);
  await deps.rateLimits.loginSucceeded(usernameKey, ip);
  const { passwordHash: _hash, ...user } = found;
  return { ...(await startSession(deps, user.id)), user };
}

/** A new token pair for a refresh token (rotation and reuse detection in sessions.ts). */
export async function refresh(deps: AccountDeps, refreshToken: string, ip: string): Promise<AuthResult> {
  await deps.rateLimits.consume('refreshPerIp', ip);
  return rotateRefreshToken(deps, refreshToken);
}
