import type { Context } from '../context.js';
import { unauthenticated } from '../errors.js';
import type { AccessClaims } from './tokens.js';

const INVALID_TOKEN_MESSAGES = {
  expired: 'Access token expired',
  invalid: 'Invalid access token',
  revoked: 'Session ended (logged out)',
} as const;

/** The one authentication rule: a valid, unexpired access token. */
export function requireViewer(ctx: Pick<Context, 'auth'>): AccessClaims {
  switch (ctx.auth.kind) {
    case 'viewer':
      return ctx.auth.claims;
    case 'invalid':
      throw unauthenticated(INVALID_TOKEN_MESSAGES[ctx.auth.reason]);
    default:
      throw unauthenticated();
  }
}
