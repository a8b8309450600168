// Who is calling: the access token turned into a viewer once per request (or
// once per WebSocket), and the one authentication rule resolvers apply.
import { unauthenticated } from '../errors.js';
import type { AccessClaims, VerifyResult } from './tokens.js';

/** The caller as the access token describes it. */
export type Auth =
  | { kind: 'anonymous' }
  | { kind: 'invalid'; reason: 'expired' | 'invalid' | 'revoked' }
  | { kind: 'viewer'; claims: AccessClaims };

/** What turning a token into a viewer needs. */
export interface ViewerDeps {
  /** Verifies signatures and claims (tokens.ts AccessTokenVerifier). */
  accessTokens: { verify(token: string): Promise<VerifyResult> };
  /** The per-instance session cache (activeSessions.ts). */
  activeSessions: { isActive(claims: AccessClaims): Promise<boolean> };
}

/** A valid signature is not enough: the token's session must not have ended (logout). */
export async function authFromToken(deps: ViewerDeps, token: string | null): Promise<Auth> {
  if (token === null) return { kind: 'anonymous' };
  const result = await deps.accessTokens.verify(token);
  if (!result.ok) return { kind: 'invalid', reason: result.reason };
  if (!(await deps.activeSessions.isActive(result.claims))) return { kind: 'invalid', reason: 'revoked' };
  return { kind: 'viewer', claims: result.claims };
}

const INVALID_TOKEN_MESSAGES = {
  expired: 'Access token expired',
  invalid: 'Invalid access token',
  revoked: 'Session ended (logged out)',
} as const;

/** The one authentication rule: a valid, unexpired access token. */
export function requireViewer(ctx: { auth: Auth }): AccessClaims {
  switch (ctx.auth.kind) {
    case 'viewer':
      return ctx.auth.claims;
    case 'invalid':
      throw unauthenticated(INVALID_TOKEN_MESSAGES[ctx.auth.reason]);
    default:
      throw unauthenticated();
  }
}
