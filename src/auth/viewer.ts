import type { Context } from '../context.js';
import { unauthenticated } from '../errors.js';
import type { AccessClaims } from './tokens.js';

/** The one authentication rule: a valid, unexpired access token. */
export function requireViewer(ctx: Pick<Context, 'auth'>): AccessClaims {
  switch (ctx.auth.kind) {
    case 'viewer':
      return ctx.auth.claims;
    case 'invalid':
      throw unauthenticated(ctx.auth.reason === 'expired' ? 'Access token expired' : 'Invalid access token');
    default:
      throw unauthenticated();
  }
}
