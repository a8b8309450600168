import { setTimeout as sleep } from 'node:timers/promises';
import type { Resolvers } from '../generated/graphql.js';
import { unauthenticated } from '../errors.js';
import { INVALID_CREDENTIALS, login, register } from '../users/service.js';
import { usernameKeyOrNull } from '../users/validation.js';
import { requireViewer } from './viewer.js';
import { revokeSessions, rotateRefreshToken, sessionOfRefreshToken } from './sessions.js';

export const authResolvers: Resolvers = {
  Query: {
    // null, not an error, without a valid token (contract).
    me: (_parent, _args, ctx) => (ctx.auth.kind === 'viewer' ? ctx.loaders.user.load(ctx.auth.claims.userId) : null),
  },
  Mutation: {
    register: async (_parent, { input }, ctx) => {
      await ctx.rateLimits.consume('registerPerIp', ctx.ip);
      return register(ctx, input);
    },
    login: async (_parent, { input }, ctx) => {
      // Shape first, before any normalising or keying: a name that no account
      // can have (e.g. 100 kB that NFKC would expand 18-fold) is only counted
      // per address, then answered like a wrong password.
      const usernameKey = usernameKeyOrNull(input.username);
      await ctx.rateLimits.consume('loginPerIp', ctx.ip);
      if (usernameKey === null) throw unauthenticated(INVALID_CREDENTIALS);
      const { delayMs } = await ctx.rateLimits.countLogin(usernameKey, ctx.ip);
      if (delayMs > 0) await sleep(delayMs);
      const result = await login(ctx, { usernameKey, password: input.password });
      await ctx.rateLimits.loginSucceeded(usernameKey, ctx.ip);
      return result;
    },
    refreshToken: async (_parent, { refreshToken }, ctx) => {
      await ctx.rateLimits.consume('refreshPerIp', ctx.ip);
      return rotateRefreshToken(ctx.db, ctx.events, ctx.config.jwt, refreshToken);
    },
    logout: async (_parent, { refreshToken, allSessions }, ctx) => {
      if (allSessions) {
        const viewer = requireViewer(ctx);
        await revokeSessions(ctx.db, ctx.events, viewer.userId, 'all');
        return true;
      }
      if (refreshToken) {
        // Possession of the refresh token is the proof: no access token needed.
        const session = await sessionOfRefreshToken(ctx.db, refreshToken);
        if (!session) return false;
        if (!session.revokedAt) await revokeSessions(ctx.db, ctx.events, session.userId, [session.id]);
        return true;
      }
      if (ctx.auth.kind !== 'viewer') throw unauthenticated('Pass a refresh token or an access token to log out');
      await revokeSessions(ctx.db, ctx.events, ctx.auth.claims.userId, [ctx.auth.claims.sessionId]);
      return true;
    },
  },
};
